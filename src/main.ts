import { mount } from 'svelte';
import App from './App.svelte';
import { connectivity } from './state/connectivity.svelte.ts';
import { connectDeviceToSession } from './state/device-session.svelte.ts';
import { navigation } from './state/navigation.svelte.ts';
import { session } from './state/session.svelte.ts';
import { registerServiceWorker } from './state/service-worker.svelte.ts';
import './ui/global.css';

const target = document.getElementById('app');
if (target === null) throw new Error('Outpost: #app is missing from index.html');

connectivity.start();
navigation.start();
// While someone is signed in: the database, the reconcile worker and the sync engine (src/state/device.svelte.ts).
connectDeviceToSession();
mount(App, { target });

// The session is already known from this device (offline-first); ask the server in the background.
void session.revalidate();
window.addEventListener('online', () => void session.revalidate());

// Dev builds run without a service worker so Vite's module graph is never cached.
if (import.meta.env.PROD) registerServiceWorker();
