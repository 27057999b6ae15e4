package org.syncbus.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsing and validation of batches and initial backlogs. Validation is complete before anything
 * is applied: a batch is accepted whole or refused whole, the refusal naming its first bad element.
 */
public final class Batches {
  private static final int MAX_SHOWN_VALUE = 40;

  private Batches() {}

  /** Parses the JSON text of a batch whose records are keyed by {@code pk}; its values must pass {@link Values}. */
  public static List<Update> parse(String text, String pk) throws InvalidBatchException {
    return fromJson(readJson(text, "batch"), pk, true);
  }

  /**
   * Parses a batch an owner already accepted (its replicated history, its stream to other nodes):
   * its values are not checked again, so a history stored by an earlier version still loads.
   */
  public static List<Update> parseAccepted(String text, String pk) throws InvalidBatchException {
    return fromJson(readJson(text, "batch"), pk, false);
  }

  /** Validates a parsed batch. */
  public static List<Update> fromJson(JsonNode batch, String pk) throws InvalidBatchException {
    return fromJson(batch, pk, true);
  }

  private static List<Update> fromJson(JsonNode batch, String pk, boolean checkValues) throws InvalidBatchException {
    if (!batch.isArray()) {
      throw new InvalidBatchException("batch: expected a JSON array of updates, got " + kindOf(batch));
    }
    List<Update> updates = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      updates.add(update(batch.get(i), pk, "batch[" + i + "]", checkValues));
    }
    return updates;
  }

  /** Parses an initial backlog: a JSON array of records, each becoming an update. */
  public static List<Update> parseRecords(String text, String pk) throws InvalidBatchException {
    JsonNode records = readJson(text, "backlog");
    if (!records.isArray()) {
      throw new InvalidBatchException("backlog: expected a JSON array of records, got " + kindOf(records));
    }
    List<Update> updates = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      String where = "backlog[" + i + "]";
      JsonNode record = records.get(i);
      if (!record.isObject()) {
        throw new InvalidBatchException(where + ": expected a record (JSON object), got " + kindOf(record));
      }
      Values.check(record, where);
      updates.add(Update.update(key((ObjectNode) record, pk, where), (ObjectNode) record));
    }
    return updates;
  }

  private static JsonNode readJson(String text, String what) throws InvalidBatchException {
    try {
      JsonNode node = Json.parse(text);
      if (node == null || node.isMissingNode()) {
        throw new InvalidBatchException(what + ": empty, expected a JSON array");
      }
      return node;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new InvalidBatchException(what + ": not valid JSON (" + e.getOriginalMessage() + where + ")");
    }
  }

  private static Update update(JsonNode element, String pk, String where, boolean checkValues)
      throws InvalidBatchException {
    if (!element.isObject()) {
      throw new InvalidBatchException(where + ": expected an update object, got " + kindOf(element));
    }
    JsonNode type = element.get(Update.TYPE);
    if (type == null) {
      throw new InvalidBatchException(where + ".type: missing");
    }
    Update.Kind kind = type.isTextual() ? Update.Kind.fromWire(type.textValue()) : null;
    if (kind == null) {
      throw new InvalidBatchException(where + ".type: unknown type " + shown(type)
          + " (expected \"update\" or \"delete\")");
    }
    JsonNode data = element.get(Update.DATA);
    if (data == null) {
      throw new InvalidBatchException(where + ".data: missing");
    }
    if (!data.isObject()) {
      throw new InvalidBatchException(where + ".data: expected an object, got " + kindOf(data));
    }
    ObjectNode record = (ObjectNode) data;
    if (checkValues) {
      Values.check(record, where + ".data");
    }
    return new Update(kind, key(record, pk, where + ".data"), record);
  }

  private static Key key(ObjectNode record, String pk, String where) throws InvalidBatchException {
    JsonNode value = record.get(pk);
    if (value == null) {
      throw new InvalidBatchException(where + ": missing key field \"" + pk + "\"");
    }
    Key key = Key.fromJson(value);
    if (key == null) {
      throw new InvalidBatchException(where + "." + pk
          + ": a key must be a string or an integer, got " + shown(value));
    }
    return key;
  }

  private static String kindOf(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "the number " + shown(node);
      case BOOLEAN -> shown(node);
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase();
    };
  }

  private static String shown(JsonNode node) {
    String text = node.toString();
    return text.length() <= MAX_SHOWN_VALUE ? text : text.substring(0, MAX_SHOWN_VALUE) + "…";
  }
}
