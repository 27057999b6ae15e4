package org.syncbus.limits;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * A verticle that starts, then throws an {@link OutOfMemoryError} on its event loop: what a real
 * one would look like to Vert.x, without filling a heap. {@link FatalErrorIT} runs it through the
 * launcher, which must end the process.
 */
public class OutOfMemoryVerticle extends VerticleBase {
  /** Long enough for the deployment to have completed: the error strikes a running node. */
  static final long DELAY_MILLIS = 200;

  @Override
  public Future<?> start() {
    vertx.setTimer(DELAY_MILLIS, id -> {
      throw new OutOfMemoryError("test");
    });
    return Future.succeededFuture();
  }
}
