package org.syncbus.owner;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.syncbus.config.SyncbusConfig;

/**
 * Where a queue's initial backlog comes from (the original's {@code get_initial_backlog}): the JSON
 * text of an array of records, read without blocking the event loop.
 */
interface BacklogSource {
  /** Reads the backlog once; a failure says why in one line. */
  Future<String> read();

  /** Releases what the source holds. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  static BacklogSource of(Vertx vertx, SyncbusConfig.Backlog config) {
    return switch (config.type()) {
      case NONE -> () -> Future.succeededFuture("[]");
      case FILE -> () -> vertx.fileSystem().readFile(config.path()).map(buffer -> buffer.toString());
      case HTTP -> new Http(vertx, config);
    };
  }

  /** GET on a URL that answers 200 with the JSON array. */
  final class Http implements BacklogSource {
    private final HttpClientAgent client;
    private final SyncbusConfig.Backlog config;

    Http(Vertx vertx, SyncbusConfig.Backlog config) {
      this.client = vertx.createHttpClient();
      this.config = config;
    }

    @Override
    public Future<String> read() {
      RequestOptions request = new RequestOptions()
          .setMethod(HttpMethod.GET)
          .setAbsoluteURI(config.url())
          .setConnectTimeout(config.timeout().toMillis())
          .setIdleTimeout(config.timeout().toMillis());
      return client.request(request)
          .compose(req -> req.send())
          .compose(this::body);
    }

    private Future<String> body(HttpClientResponse response) {
      if (response.statusCode() != 200) {
        return response.body().transform(ignored -> Future.failedFuture(
            "HTTP " + response.statusCode() + " " + response.statusMessage()));
      }
      return response.body().map(buffer -> buffer.toString());
    }

    @Override
    public Future<Void> close() {
      return client.close();
    }
  }
}
