// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or $CHROMIUM) driven by
// puppeteer-core, which downloads no browser. One Chromium per test file, reused by its tests.
//
// Every wait is bounded (WAIT_MS) and names what it waited for, with the page's own account
// (window.syncbus) when it times out. A page's console errors and uncaught errors are collected:
// a test states the ones it provokes (`expectProblems`), any other fails it. On a failure the
// pages' screenshots, console and text are written to $SYNCBUS_ARTIFACTS.
import puppeteer from 'puppeteer-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WAIT_MS, within } from '../support.mjs';

const CLOSE_MS = 5_000;

export async function launchChromium() {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // Tests run as root (no sandbox possible) and in containers with a small /dev/shm.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: WAIT_MS,
  });
  return new Chromium(browser);
}

class Chromium {
  constructor(browser) {
    this.browser = browser;
    this.pages = [];
  }

  /** A new page showing `url`, once it has loaded. */
  async open(url) {
    const page = new Page(await this.browser.newPage(), url);
    this.pages.push(page);
    await page.page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
    return page;
  }

  /**
   * Runs `body`, then closes the pages it opened; if it fails, first writes what every open page
   * shows to $SYNCBUS_ARTIFACTS/`name` (screenshot, console, text).
   */
  async recording(name, body) {
    const opened = this.pages.length;
    try {
      await body();
    } catch (error) {
      await this.capture(name.replace(/[^\w.-]+/g, '-'), this.pages).catch((captureError) => {
        error.message += `\n(could not capture the pages: ${captureError.message})`;
      });
      throw error;
    } finally {
      for (const page of this.pages.splice(opened)) {
        await page.close();
      }
    }
  }

  async capture(name, pages) {
    const dir = join(process.env.SYNCBUS_ARTIFACTS ?? 'target/browser', name);
    mkdirSync(dir, { recursive: true });
    for (const [i, page] of pages.entries()) {
      // Chromium paints only the page in front: a screenshot of another one waits for ever.
      await within(page.page.bringToFront(), 'the page to come to the front');
      await within(page.page.screenshot({ path: join(dir, `page-${i}.png`), fullPage: true }), 'a screenshot');
      writeFileSync(join(dir, `page-${i}.txt`), `${page.url}\n\n${await page.text()}\n\nconsole:\n${page.console.join('\n')}\n`);
    }
  }

  /** Closes Chromium; kills its process (by its id) when it does not close in time. */
  async close() {
    const pid = this.browser.process()?.pid;
    try {
      await within(this.browser.close(), 'Chromium to close', CLOSE_MS);
    } finally {
      if (pid !== undefined && isAlive(pid)) {
        process.kill(pid, 'SIGKILL');
      }
    }
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

class Page {
  constructor(page, url) {
    this.page = page;
    this.url = url;
    /** Every console message (`type: text`) and uncaught error, in order. */
    this.console = [];
    /** Console errors and uncaught errors not yet expected by the test. */
    this.problems = [];
    page.on('console', (message) => {
      // A failed request's message does not name it: its location does.
      const text = `${message.text()} (${message.location()?.url ?? 'no location'})`;
      this.console.push(`${message.type()}: ${text}`);
      if (message.type() === 'error') {
        this.problems.push(text);
      }
    });
    page.on('pageerror', (error) => {
      this.console.push(`uncaught: ${error.message}`);
      this.problems.push(`uncaught: ${error.message}`);
    });
  }

  /** What `fn(arg)` returns in the page. */
  evaluate(fn, arg) {
    return within(this.page.evaluate(fn, arg), `the page ${this.url} to evaluate ${fn}`);
  }

  /** Sets the value of the form field `selector`, as typing it would. */
  fill(selector, value) {
    return within(this.page.$eval(selector, (field, text) => { field.value = text; }, value), `the field ${selector}`);
  }

  click(selector) {
    return within(this.page.click(selector), `a click on ${selector}`);
  }

  /** Waits until `fn(arg)` is true in the page; fails naming `what` and showing window.syncbus. */
  async until(what, fn, arg) {
    try {
      await this.page.waitForFunction(fn, { timeout: WAIT_MS, polling: 50 }, arg);
    } catch (error) {
      const account = await within(this.page.evaluate(() => JSON.stringify(window.syncbus, (key, value) =>
        (value instanceof Map ? [...value.values()] : value))), 'window.syncbus').catch((e) => e.message);
      throw new Error(`waiting for ${what} (at most ${WAIT_MS} ms): ${error.message}\npage: ${this.url}\n`
        + `window.syncbus: ${account}\nconsole:\n${this.console.join('\n')}`);
    }
  }

  /** The page's visible text (its status and log). */
  text() {
    return within(this.page.evaluate(() => document.body.innerText), 'the page text');
  }

  /**
   * Takes the problems the test provoked: each pattern of `required` must match one at least,
   * and every problem must match a pattern of `required` or `tolerated` (problems that may or
   * may not come, depending on timing).
   */
  expectProblems({ required = [], tolerated = [] } = {}) {
    const problems = this.problems.splice(0);
    for (const pattern of required) {
      if (!problems.some((problem) => pattern.test(problem))) {
        throw new Error(`no console error matching ${pattern} on ${this.url}; console:\n${this.console.join('\n')}`);
      }
    }
    const expected = [...required, ...tolerated];
    const unexpected = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    if (unexpected.length > 0) {
      throw new Error(`unexpected console errors on ${this.url}:\n${unexpected.join('\n')}`);
    }
  }

  /** Closes the page, unless it is gone already (closed, or crashed). */
  async close() {
    if (!this.page.isClosed()) {
      await within(this.page.close(), `the page ${this.url} to close`);
    }
  }
}
