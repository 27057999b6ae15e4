// A syncbus node run as a real process (the packaged jar), so that a test can stop it with
// SIGTERM and start it again on the same port, as an operator restarts one. Its output goes to
// a log file; every wait is bounded; a process still alive at the end is killed by its id.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { within } from '../support.mjs';

/** A JVM starts and loads its queues in seconds; on a loaded machine, in a few more. */
const START_MS = 40_000;
const STOP_MS = 15_000;
const POLL_MS = 100;

/** Starts `command` (its output appended to `log`) and resolves once `${http}/health` answers 200. */
export async function startNode(command, http, log) {
  const out = openSync(log, 'a');
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', out, out] });
  closeSync(out);
  const node = new NodeProcess(child, log);
  try {
    await within(node.healthy(http), `the node to answer ${http}/health with 200 (its output: ${log})`, START_MS);
    return node;
  } catch (error) {
    node.kill();
    throw error;
  }
}

class NodeProcess {
  constructor(child, log) {
    this.child = child;
    this.log = log;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve({ error: error.message })); // it could not be started
    });
    // Whatever ends this script (a failure outside the tests' hooks too), the node does not outlive it.
    const kill = () => this.kill();
    process.once('exit', kill);
    this.exited.then(() => process.off('exit', kill));
  }

  async healthy(http) {
    for (;;) {
      const status = await fetch(`${http}/health`, { signal: AbortSignal.timeout(POLL_MS * 10) })
        .then((response) => response.status, () => null);
      if (status === 200) {
        return;
      }
      const exit = await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, POLL_MS, null))]);
      if (exit) {
        throw new Error(`the node exited (${JSON.stringify(exit)}) before it was healthy; its output: ${this.log}`);
      }
    }
  }

  /** SIGTERM, as an operator stops a node: resolves with its exit `{code, signal}`. */
  stop() {
    this.child.kill('SIGTERM');
    return within(this.exited, `the node (pid ${this.child.pid}) to exit after SIGTERM`, STOP_MS);
  }

  /** Kills the process (SIGKILL) if it is still running. */
  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      process.kill(this.child.pid, 'SIGKILL');
    }
  }
}
