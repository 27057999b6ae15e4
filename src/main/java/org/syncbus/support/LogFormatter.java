package org.syncbus.support;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's log lines: every record one line, as text or as a JSON object, and no credential in
 * any of them ({@link Redaction}). Put on the root handlers, it formats syncbus's, Vert.x's, Netty's
 * and Hazelcast's records alike; the form can be switched while the node runs (a reload of
 * {@code log.format}).
 *
 * <p><b>One line per record.</b> A message with line breaks (Hazelcast's member lists and notices)
 * is folded: each of its lines trimmed, blank ones dropped, the rest joined by {@code " | "}, or by a
 * space after an opening bracket and before a closing one, so that a member list reads
 * {@code Members {size:2, ver:2} [ Member [10.0.0.1]:5701 - … this | Member [10.0.0.2]:5701 - … ]}.
 * A stack trace is not folded: in text it follows its line as Java prints it (a log reader knows its
 * {@code at} lines), in JSON it is the {@code error} field, its line breaks escaped like any other.
 *
 * <p><b>Text</b> is the handler's own formatter (the launcher gives SimpleFormatter syncbus's format,
 * {@code 2026-12-01 01:02:03.456 INFO logger: message}) fed the folded message.
 *
 * <p><b>JSON</b>, one object per line: {@code time} (UTC, to the millisecond), {@code level} in the
 * words of {@code log.level} ({@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN},
 * {@code ERROR}), {@code logger}, {@code message}, then {@code queue} and {@code client} when the
 * message names them, and {@code error}, the stack trace, when the record has one.
 *
 * <p><b>Fields read from the message.</b> syncbus's lines follow two conventions, and the fields are
 * read from them rather than passed along by every call that logs: a line about a queue starts
 * {@code queue NAME:}, and a line about what a client caused names the client's address after
 * {@code from}, {@code to} or {@code subscriber} ({@code refused 403 Invalid token to 10.0.0.7 (GET
 * /poll)}, {@code connection from 10.0.0.7 closed: …}, {@code disconnected subscriber
 * 10.0.0.7:51234}, the port left out). A client is looked for in syncbus's own lines only, where
 * these words are followed by an address only when it is a client's; a line that follows neither
 * convention has neither field.
 */
public final class LogFormatter extends Formatter {
  private static final Pattern LINE_BREAKS = Pattern.compile("\\s*\\R\\s*");
  private static final Pattern OPENS = Pattern.compile(".*[\\[{(]");
  private static final Pattern CLOSES = Pattern.compile("[\\]})].*");
  private static final Pattern QUEUE = Pattern.compile("^queue ([A-Za-z0-9_-]+):");
  /** An IPv4 address, or an IPv6 one as Java prints it (eight groups): a port after it is left out. */
  private static final Pattern CLIENT = Pattern.compile(
      "\\b(?:from|to|subscriber) (\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})");
  private static final String CLIENT_LOGGERS = "org.syncbus.";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Formatter text;
  private volatile boolean json;

  /** Lines of {@code text} (the handler's own formatter) until {@link #json(boolean)} says otherwise. */
  public LogFormatter(Formatter text) {
    this.text = text;
  }

  /** JSON lines from now on when {@code json}, else text. */
  public void json(boolean json) {
    this.json = json;
  }

  @Override
  public String format(LogRecord record) {
    String message = formatMessage(record);
    String folded = fold(message);
    if (json) {
      return jsonLine(record, Redaction.mask(Objects.toString(folded, "")));
    }
    // Only a record whose message was folded is copied: most records pass as they are.
    return Redaction.mask(text.format(folded == message ? record : withMessage(record, folded)));
  }

  @Override
  public String getHead(Handler handler) {
    return json ? "" : text.getHead(handler);
  }

  @Override
  public String getTail(Handler handler) {
    return json ? "" : text.getTail(handler);
  }

  /** {@code message} on one line; the same instance when it has no line break. */
  static String fold(String message) {
    if (message == null || (message.indexOf('\n') < 0 && message.indexOf('\r') < 0)) {
      return message;
    }
    String[] lines = LINE_BREAKS.split(message.strip());
    StringBuilder folded = new StringBuilder(lines[0]);
    for (int i = 1; i < lines.length; i++) {
      boolean bracket = OPENS.matcher(lines[i - 1]).matches() || CLOSES.matcher(lines[i]).matches();
      folded.append(bracket ? " " : " | ").append(lines[i]);
    }
    return folded.toString();
  }

  /** A copy of {@code record} whose message is {@code message}, already formatted. */
  private static LogRecord withMessage(LogRecord record, String message) {
    LogRecord copy = new LogRecord(record.getLevel(), message);
    copy.setLoggerName(record.getLoggerName());
    copy.setInstant(record.getInstant());
    copy.setSequenceNumber(record.getSequenceNumber());
    copy.setLongThreadID(record.getLongThreadID());
    copy.setSourceClassName(record.getSourceClassName());
    copy.setSourceMethodName(record.getSourceMethodName());
    copy.setThrown(record.getThrown());
    return copy;
  }

  private static String jsonLine(LogRecord record, String message) {
    JsonObject line = new JsonObject()
        .put("time", TIME.format(record.getInstant()))
        .put("level", levelWord(record.getLevel()))
        .put("logger", record.getLoggerName())
        .put("message", message);
    Matcher queue = QUEUE.matcher(message);
    if (queue.find()) {
      line.put("queue", queue.group(1));
    }
    Matcher client = CLIENT.matcher(message);
    if (record.getLoggerName() != null && record.getLoggerName().startsWith(CLIENT_LOGGERS) && client.find()) {
      line.put("client", client.group(1));
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("error", Redaction.mask(trace.toString().strip()));
    }
    return line.encode() + "\n";
  }

  /** {@code level} in the words of {@code log.level}, which maps them onto java.util.logging's levels. */
  private static String levelWord(Level level) {
    int value = level.intValue();
    if (value >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (value >= Level.WARNING.intValue()) {
      return "WARN";
    }
    if (value >= Level.INFO.intValue()) {
      return "INFO";
    }
    return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
  }
}
