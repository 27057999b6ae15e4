package org.syncbus.console;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.syncbus.http.QueueView;
import org.syncbus.queue.Update;

/**
 * One page of a queue's records for the console's table ({@code GET
 * /console/api/queues/Q/records}), filtered on the server: {@code key} keeps the records whose key
 * contains it, {@code text} those whose JSON contains it (both ignore case), in backlog order,
 * {@value #SIZE} a page.
 *
 * <p>A filter reads every record, so a page is made off the event loop, from the copy of the
 * backlog the mirror handed out ({@link QueueView#backlog()}: its lists copied, its encoded
 * records shared and never modified). Only the page's records are decoded, to hand the page their
 * {@code data}.
 */
final class RecordsPage {
  static final int SIZE = 100;

  /** What the table asks for: filters (null for none) and the page, from 0. */
  record Query(String key, String text, int page) {
    Query {
      key = lower(key);
      text = lower(text);
    }

    private static String lower(String filter) {
      return filter == null || filter.isEmpty() ? null : filter.toLowerCase(Locale.ROOT);
    }
  }

  private RecordsPage() {}

  /**
   * {@code query}'s page of {@code records}: {@code {"total", "matched", "page", "pages",
   * "pageSize", "rows": [data…]}}; a page past the last is empty.
   */
  static JsonObject of(QueueView.Records records, Query query) {
    List<byte[]> matched = new ArrayList<>();
    for (int i = 0; i < records.keys().size(); i++) {
      byte[] element = records.elements().get(i);
      if ((query.key() == null || contains(String.valueOf(records.keys().get(i).value()), query.key()))
          && (query.text() == null || contains(new String(element, StandardCharsets.UTF_8), query.text()))) {
        matched.add(element);
      }
    }
    int from = (int) Math.min((long) query.page() * SIZE, matched.size());
    JsonArray rows = new JsonArray();
    for (byte[] element : matched.subList(from, Math.min(from + SIZE, matched.size()))) {
      rows.add(new JsonObject(Buffer.buffer(element)).getJsonObject(Update.DATA));
    }
    return new JsonObject()
        .put("total", records.keys().size())
        .put("matched", matched.size())
        .put("page", query.page())
        .put("pages", (matched.size() + SIZE - 1) / SIZE)
        .put("pageSize", SIZE)
        .put("rows", rows);
  }

  private static boolean contains(String text, String lowerCaseFilter) {
    return text.toLowerCase(Locale.ROOT).contains(lowerCaseFilter);
  }
}
