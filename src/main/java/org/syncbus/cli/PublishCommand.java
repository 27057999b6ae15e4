package org.syncbus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.cli.annotations.Argument;
import io.vertx.core.cli.annotations.Description;
import io.vertx.core.cli.annotations.Name;
import io.vertx.core.cli.annotations.Option;
import io.vertx.core.cli.annotations.Summary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.StringJoiner;
import org.syncbus.client.BlockingSyncClient;
import org.syncbus.client.SyncClientOptions;
import org.syncbus.client.SyncException;
import org.syncbus.queue.Json;

/**
 * {@code syncbus publish --url BASE_URL [--queue Q] --secret S [--retry-for SECONDS]
 * [--idempotency-key KEY] [FILE|-]}: publishes a JSON batch, or NDJSON of records (each becoming
 * an update), read from FILE or standard input. It retries as {@link BlockingSyncClient} does, for
 * {@code --retry-for}; a script that runs it again after status 3 passes the same
 * {@code --idempotency-key} so that the batch is still applied once.
 */
@Name("publish")
@Summary("Publishes a batch (a JSON array of updates, or NDJSON records) to a queue.")
@Description("Reads FILE, or standard input when FILE is - or absent. A JSON array is sent as the batch; "
    + "otherwise every non-empty line must be a JSON record and becomes {\"type\":\"update\",\"data\":RECORD}. "
    + "When the server does not answer, or answers 503, the batch is sent again, under the same idempotency key "
    + "so that it is applied at most once, for --retry-for seconds. "
    + "Exit status: 0 applied, 1 refused by the server (4xx, or 507 queue full), 2 bad usage or input, "
    + "3 server unreachable or failing (still no answer or 503 when --retry-for ran out, or another 5xx).")
public final class PublishCommand extends ClientCommand {
  private String file;
  private String retryFor;
  private String idempotencyKey;

  @Argument(index = 0, argName = "FILE", required = false)
  @Description("The batch or records to publish; - or absent for standard input.")
  public void setFile(String file) {
    this.file = file;
  }

  @Option(longName = "retry-for", argName = "SECONDS")
  @Description("How long to keep retrying a batch that got no answer or 503, from the first attempt "
      + "(default: 30; 0: a single attempt).")
  public void setRetryFor(String retryFor) {
    this.retryFor = retryFor;
  }

  @Option(longName = "idempotency-key", argName = "KEY")
  @Description("The batch's idempotency key, 1 to 128 printable ASCII characters (default: a fresh one): "
      + "run again with the same key, a batch already applied is not applied twice.")
  public void setIdempotencyKey(String idempotencyKey) {
    this.idempotencyKey = idempotencyKey;
  }

  @Override
  public void run() {
    var options = clientOptions("publish").setPublishSecret(secret()).setRetryFor(retryFor());
    String batch;
    try {
      batch = toBatch(read());
    } catch (IOException | IllegalArgumentException e) {
      exit(USAGE, "syncbus publish: " + e.getMessage());
      return;
    }
    try (BlockingSyncClient client = new BlockingSyncClient(options)) {
      if (idempotencyKey == null) {
        client.sendUpdates(batch);
      } else {
        client.sendUpdates(batch, idempotencyKey);
      }
    } catch (SyncException | IllegalArgumentException e) {
      exit(statusOf(e), oneLine("publish", e));
    }
    exit(OK, null);
  }

  /** {@code --retry-for} as a duration; anything but a whole number of seconds is a usage error. */
  private Duration retryFor() {
    if (retryFor == null) {
      return SyncClientOptions.DEFAULT_RETRY_FOR;
    }
    long seconds;
    try {
      seconds = Long.parseLong(retryFor.strip());
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 0) {
      exit(USAGE, "syncbus publish: --retry-for takes a whole number of seconds, 0 or more, not " + retryFor);
    }
    return Duration.ofSeconds(seconds);
  }

  private String read() throws IOException {
    if (file == null || file.equals("-")) {
      try (InputStream in = System.in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new IOException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The batch text: a JSON array as is, or NDJSON records wrapped as updates, values untouched. */
  static String toBatch(String input) {
    String text = input.strip();
    if (text.startsWith("[")) {
      return text;
    }
    StringJoiner batch = new StringJoiner(",", "[", "]");
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        if (!Json.parse(line).isObject()) {
          throw new IllegalArgumentException("line " + (i + 1) + ": expected a JSON record (an object)");
        }
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("line " + (i + 1) + ": not valid JSON");
      }
      batch.add("{\"type\":\"update\",\"data\":" + line + "}");
    }
    return batch.toString();
  }
}
