// What the Node tests share: the settings the JUnit test that runs one hands it (environment
// variables), and bounded waits.

/** How long a test waits for anything: a reply, an event, a page's state. */
export const WAIT_MS = 10_000;

/** The value of environment variable `name`; throws when it is not set. */
export function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within(promise, what, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
