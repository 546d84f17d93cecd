export * from './notice.ts';
export * from './classify.ts';
export * from './digest.ts';
export * from './channels.ts';
export * from './notice-key.ts';
