export * from './cognito-edge-auth';
export * from './cookie-settings';
