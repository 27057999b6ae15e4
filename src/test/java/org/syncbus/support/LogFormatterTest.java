package org.syncbus.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every record one line, in text or JSON; a JSON line parsed as a reader of the log would, field by
 * field; no credential in either form.
 */
class LogFormatterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "1700000000:0123456789abcdef";
  private static final String MEMBERS = "[127.0.0.1]:5701 [syncbus] [5.3.8] \n\nMembers {size:2, ver:2} [\n"
      + "\tMember [127.0.0.1]:5701 - 5a3c this\n\tMember [127.0.0.1]:5702 - 77b1\n]\n";

  private static LogRecord record(Level level, String logger, String message) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName(logger);
    record.setInstant(Instant.parse("2026-12-01T01:02:03.456Z"));
    return record;
  }

  private static LogFormatter json() {
    LogFormatter formatter = new LogFormatter(new SimpleFormatter());
    formatter.json(true);
    return formatter;
  }

  /** The one line {@code formatter} makes of {@code record}, parsed. */
  private static JsonNode jsonLine(LogRecord record) throws IOException {
    String line = json().format(record);
    assertTrue(line.endsWith("\n"), line);
    assertEquals(1, line.lines().count(), () -> "one line: " + line);
    return JSON.readTree(line);
  }

  @Test
  void jsonLineHasTimeLevelLoggerAndMessage() throws IOException {
    JsonNode line = jsonLine(record(Level.INFO, "org.syncbus.SyncbusVerticle", "serving queues [default]"));
    assertEquals("2026-12-01T01:02:03.456Z", line.get("time").asText());
    assertEquals("INFO", line.get("level").asText());
    assertEquals("org.syncbus.SyncbusVerticle", line.get("logger").asText());
    assertEquals("serving queues [default]", line.get("message").asText());
    assertEquals(List.of("time", "level", "logger", "message"), fieldNames(line));
  }

  @Test
  void jsonTimeKeepsItsMillisecondsWhenTheyAreZero() throws IOException {
    LogRecord record = record(Level.INFO, "x", "m");
    record.setInstant(Instant.parse("2026-12-01T01:02:03Z"));
    assertEquals("2026-12-01T01:02:03.000Z", jsonLine(record).get("time").asText());
  }

  /** One row per java.util.logging level: its word in the JSON line is {@code log.level}'s. */
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({"SEVERE, ERROR", "WARNING, WARN", "INFO, INFO", "CONFIG, DEBUG", "FINE, DEBUG", "FINER, TRACE",
      "FINEST, TRACE"})
  void jsonLevelIsInTheWordsOfLogLevel(String level, String word) throws IOException {
    assertEquals(word, jsonLine(record(Level.parse(level), "x", "m")).get("level").asText());
  }

  @Test
  void queueIsReadFromALineAboutAQueue() throws IOException {
    JsonNode line = jsonLine(record(Level.INFO, "org.syncbus.owner.QueueVerticle",
        "queue presence-2: owned by this node with 0 records from none (epoch e, seq 0)"));
    assertEquals("presence-2", line.get("queue").asText());
    assertNull(line.get("client"));
  }

  /** One row per shape of line naming a client, as syncbus writes them. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      refused 403 Invalid token to 10.0.0.7 (GET /poll)                          | 10.0.0.7
      refused 400 to 10.0.0.7 (GET /x%zz): bad escape                             | 10.0.0.7
      malformed request from 10.0.0.7: invalid version                            | 10.0.0.7
      connection from 0:0:0:0:0:0:0:1 closed: 100 connections already open (limits.maxConnections) | 0:0:0:0:0:0:0:1
      bridge connection from 192.168.1.20 closed (limits.maxConnectionsPerAddress) | 192.168.1.20
      request body from 10.0.0.7 slower than 4096 bytes/s (limits.minBodyBytesPerSecond) | 10.0.0.7
      """)
  void clientIsReadFromALineAboutWhatAClientCaused(String message, String client) throws IOException {
    assertEquals(client, jsonLine(record(Level.WARNING, "org.syncbus.clients", message)).get("client").asText());
  }

  @Test
  void subscriberIsAClientWithoutItsPortAndOfItsQueue() throws IOException {
    JsonNode line = jsonLine(record(Level.WARNING, "org.syncbus.http.QueueEdge",
        "queue default: disconnected subscriber 10.0.0.7:51234: more than 4096 bytes unsent (limits.subscriberBufferBytes)"));
    assertEquals("default", line.get("queue").asText());
    assertEquals("10.0.0.7", line.get("client").asText());
  }

  @Test
  void anotherLibrarysAddressesAreNotClients() throws IOException {
    JsonNode line = jsonLine(record(Level.INFO, "com.hazelcast.internal.server.tcp.TcpServerConnection",
        "Connection from 127.0.0.1 accepted"));
    assertNull(line.get("client"));
    assertNull(line.get("queue"));
  }

  @Test
  void jsonErrorIsTheStackTraceOnTheSameLine() throws IOException {
    LogRecord record = record(Level.SEVERE, "org.syncbus.http.HttpVerticle", "unexpected failure");
    record.setThrown(new IllegalStateException("broken\nin two"));
    JsonNode line = jsonLine(record);
    assertEquals("ERROR", line.get("level").asText());
    String error = line.get("error").asText();
    assertTrue(error.startsWith("java.lang.IllegalStateException: broken\nin two\n\tat "), error);
  }

  @Test
  void jsonMessageIsFoldedToOneLine() throws IOException {
    JsonNode line = jsonLine(record(Level.INFO, "com.hazelcast.internal.cluster.ClusterService", MEMBERS));
    assertEquals("[127.0.0.1]:5701 [syncbus] [5.3.8] | Members {size:2, ver:2} [ Member [127.0.0.1]:5701 - 5a3c this"
        + " | Member [127.0.0.1]:5702 - 77b1 ]", line.get("message").asText());
  }

  @Test
  void textMessageIsFoldedAndFormattedByTheHandlersFormatter() {
    LogFormatter text = new LogFormatter(new SimpleFormatter() {
      @Override
      public String format(LogRecord record) {
        return record.getLevel() + " " + record.getLoggerName() + ": " + formatMessage(record) + "\n";
      }
    });
    String line = text.format(record(Level.INFO, "com.hazelcast.instance.impl.Node", MEMBERS));
    assertEquals("INFO com.hazelcast.instance.impl.Node: [127.0.0.1]:5701 [syncbus] [5.3.8] | Members {size:2, ver:2}"
        + " [ Member [127.0.0.1]:5701 - 5a3c this | Member [127.0.0.1]:5702 - 77b1 ]\n", line);
  }

  @Test
  void foldingJoinsTrimmedLinesAndDropsBlankOnes() {
    assertEquals("The Jet engine is disabled. | To enable it: | - set hz.jet.enabled",
        LogFormatter.fold("The Jet engine is disabled.\r\n\nTo enable it:\n  - set hz.jet.enabled\n"));
    String oneLine = "no line break";
    assertTrue(oneLine == LogFormatter.fold(oneLine), "a line without break is not copied");
  }

  @Test
  void parametersAreFormattedBeforeTheLineIsMade() throws IOException {
    LogRecord record = record(Level.INFO, "org.syncbus.SyncbusVerticle", "serving queues {0} on {1}:{2,number,#}");
    record.setParameters(new Object[] {List.of("default"), "127.0.0.1", 8000});
    assertEquals("serving queues [default] on 127.0.0.1:8000", jsonLine(record).get("message").asText());
  }

  /** Credentials are masked in both forms, in the message and in a stack trace, at any level. */
  @Test
  void noCredentialInAnyForm() throws IOException {
    String message = "GET /poll?data=%7B%7D&hmac=" + TOKEN + " Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln";
    LogRecord record = record(Level.FINEST, "io.vertx.core.http", message);
    record.setThrown(new IllegalArgumentException("bad /events?access_token=eyJhbGciOi.eyJzdWIi.c2ln"));
    String text = new LogFormatter(new SimpleFormatter()).format(record);
    String json = json().format(record);
    for (String line : List.of(text, json)) {
      assertFalse(line.contains(TOKEN) || line.contains("eyJ"), line);
    }
    JsonNode parsed = JSON.readTree(json);
    assertEquals("GET /poll?data=%7B%7D&hmac=*** Authorization: Bearer ***", parsed.get("message").asText());
    assertTrue(parsed.get("error").asText().contains("access_token=***"), parsed.get("error").asText());
  }

  @Test
  void formCanBeSwitchedBackToText() {
    LogFormatter formatter = json();
    formatter.json(false);
    String line = formatter.format(record(Level.INFO, "x", "plain"));
    assertFalse(line.startsWith("{"), line);
    assertTrue(line.contains("plain"), line);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
