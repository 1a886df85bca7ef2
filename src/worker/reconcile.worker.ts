// Thin entry (STYLE 4): open the one schema (VR2) and expose the reconciler (RC1).
// After a VR2 close every call rejects, so the page sees the error instead of a hang.
// Relaxed commits: the worker stores only what can be pulled again (RC4 in SYNC-SPEC).
import { expose } from 'comlink';
import { openOutpostDb } from '../data/db.ts';
import { createReconciler } from './reconciler.ts';

expose(createReconciler(openOutpostDb(undefined, undefined, { durability: 'relaxed' })));
