// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// i18next (inside @grafana/ui) prints an advertisement on init; keep test output for real messages.
const info = console.info;
console.info = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('i18next is made possible')) {
    return;
  }
  info(...args);
};

// jsdom has no IntersectionObserver; @grafana/ui's Select menu needs one to exist.
if (!('IntersectionObserver' in window)) {
  class IntersectionObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  Object.assign(window, { IntersectionObserver: IntersectionObserverStub });
  Object.assign(global, { IntersectionObserver: IntersectionObserverStub });
}
