export * from './cognito-edge-auth';
export * from './cookie-settings';
export * from './viewer-check';
