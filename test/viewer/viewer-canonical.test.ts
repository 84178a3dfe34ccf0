/**
 * The plug-in point of the canonical-path rule (design §4.9) in the viewer function: a path whose
 * canonical form differs from what the viewer sent is never decided on or forwarded as sent (a
 * navigation gets a 302 to the canonical spelling, anything else a 400). The stand-in in
 * canonical-path.ts never rewrites, so this runs viewer.ts directly with a rewriting rule mocked in.
 */
import { cfEvent, CONFIG, mint } from './helpers';
import { prepareViewer, viewerRequest } from '../../lambda-src/viewer-function/viewer';

jest.mock('../../lambda-src/viewer-function/canonical-path', () => ({
  canonicalPath: (uri: string): string | undefined => {
    if (uri === '/public/../admin/x') return '/admin/x';
    if (uri === '/a/..//evil.example') return '//evil.example';
    return uri;
  },
}));

// Neither case reaches the key store.
const store = { get: jest.fn(async (): Promise<string> => Promise.reject(new Error('not expected'))) };
const viewer = prepareViewer(CONFIG);

test('a navigation to a non-canonical spelling gets a 302 to the canonical one (with its query), before any session check', async () => {
  const result = await viewerRequest(cfEvent({ nav: true, uri: '/public/../admin/x', querystring: { a: { value: '1' } }, session: mint() }), viewer, store);
  expect(result).toMatchObject({ statusCode: 302, headers: { 'location': { value: '/admin/x?a=1' }, 'cache-control': { value: 'no-store' } } });
});

test('anything else gets 400; a canonical form that would leave the site is refused', async () => {
  expect(await viewerRequest(cfEvent({ uri: '/public/../admin/x', session: mint() }), viewer, store)).toMatchObject({ statusCode: 400 });
  expect(await viewerRequest(cfEvent({ nav: true, uri: '/a/..//evil.example' }), viewer, store)).toMatchObject({ statusCode: 400 });
  expect(store.get).not.toHaveBeenCalled();
});
