// Thin entry (STYLE 4): open the one schema (VR2) and expose the reconciler (RC1).
// After a VR2 close every call rejects, so the page sees the error instead of a hang.
import { expose } from 'comlink';
import { openOutpostDb } from '../data/db.ts';
import { createReconciler } from './reconciler.ts';

expose(createReconciler(openOutpostDb()));
