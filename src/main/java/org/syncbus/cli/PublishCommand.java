package org.syncbus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.cli.annotations.Argument;
import io.vertx.core.cli.annotations.Description;
import io.vertx.core.cli.annotations.Name;
import io.vertx.core.cli.annotations.Summary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.syncbus.client.BlockingSyncClient;
import org.syncbus.client.SyncException;
import org.syncbus.queue.Json;

/**
 * {@code syncbus publish --url BASE_URL [--queue Q] --secret S [FILE|-]}: publishes a JSON batch,
 * or NDJSON of records (each becoming an update), read from FILE or standard input.
 */
@Name("publish")
@Summary("Publishes a batch (a JSON array of updates, or NDJSON records) to a queue.")
@Description("Reads FILE, or standard input when FILE is - or absent. A JSON array is sent as the batch; "
    + "otherwise every non-empty line must be a JSON record and becomes {\"type\":\"update\",\"data\":RECORD}. "
    + "Exit status: 0 applied, 1 refused by the server, 2 bad usage or input, 3 server unreachable or failing.")
public final class PublishCommand extends ClientCommand {
  private String file;

  @Argument(index = 0, argName = "FILE", required = false)
  @Description("The batch or records to publish; - or absent for standard input.")
  public void setFile(String file) {
    this.file = file;
  }

  @Override
  public void run() {
    var options = clientOptions("publish").setPublishSecret(secret());
    String batch;
    try {
      batch = toBatch(read());
    } catch (IOException | IllegalArgumentException e) {
      exit(USAGE, "syncbus publish: " + e.getMessage());
      return;
    }
    try (BlockingSyncClient client = new BlockingSyncClient(options)) {
      client.sendUpdates(batch);
    } catch (SyncException e) {
      exit(statusOf(e), oneLine("publish", e));
    }
    exit(OK, null);
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
