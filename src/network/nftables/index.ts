export * from './expr.ts';
export * from './nft.ts';
export * from './ruleset.ts';
export type * from './types.ts';
