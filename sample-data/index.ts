/** Seeded, deterministic test and demo data: roster, departmental extracts, planted rule cases, CSV. */
export * from './prng.ts';
export * from './columns.ts';
export * from './csv.ts';
export * from './people.ts';
export * from './roster.ts';
export * from './departmental.ts';
export * from './planted-cases/index.ts';
export * from './dataset.ts';
