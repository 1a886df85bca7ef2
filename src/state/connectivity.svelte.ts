/** Whether the browser thinks it has a network. A hint only: a request can still fail while "online". */
class Connectivity {
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  #started = false;

  start(target: Pick<Window, 'addEventListener'> = window): void {
    if (this.#started) return;
    this.#started = true;
    this.online = navigator.onLine;
    target.addEventListener('online', () => (this.online = true));
    target.addEventListener('offline', () => (this.online = false));
  }
}

export const connectivity = new Connectivity();
