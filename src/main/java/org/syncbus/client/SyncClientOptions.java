package org.syncbus.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SyncClient} reaches a queue. {@code baseUrl} is the server's root
 * ({@code http://host:8000}, or {@code https://host:8000} for a node with {@code http.tls});
 * without a queue name, or with {@code default}, the client speaks the original endpoints
 * {@code /poll} and {@code /update}.
 *
 * <p>Over https the server's certificate must chain to the Java runtime's trusted authorities, or
 * to the CA of {@link #setTrustPemPath}; its name must match the URL's host. A client certificate
 * ({@link #setKeyCertPemPaths}) is for nodes that ask for one ({@code http.tls.clientAuth}).
 *
 * <p>Publishing retries a batch that got no answer, or 503, for {@link #setRetryFor} (30 s by
 * default), waiting between attempts from {@link #setRetryInitial} doubling up to
 * {@link #setRetryMax}; an attempt gives up after {@link #setRequestTimeout} without an answer.
 * The retries carry the batch's idempotency key, so the batch is applied at most once (see
 * {@link SyncClient#sendUpdates(String)}).
 */
public final class SyncClientOptions {
  public static final String DEFAULT_QUEUE = "default";
  public static final Duration DEFAULT_RECONNECT_INITIAL = Duration.ofMillis(200);
  public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
  /** Long enough to outlast an owner's failover in a cluster, short enough for a script to wait on. */
  public static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(30);
  /** Longer than the 10 s after which a node answers 503 itself when the queue's owner is silent. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RETRY_INITIAL = Duration.ofMillis(100);
  public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(2);

  private String baseUrl;
  private String queue = DEFAULT_QUEUE;
  private String pk;
  private String publishSecret;
  private String subscribeSecret;
  private String token;
  private Duration reconnectInitial = DEFAULT_RECONNECT_INITIAL;
  private Duration reconnectMax = DEFAULT_RECONNECT_MAX;
  private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
  private Duration retryFor = DEFAULT_RETRY_FOR;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private Duration retryInitial = DEFAULT_RETRY_INITIAL;
  private Duration retryMax = DEFAULT_RETRY_MAX;
  private String trustPemPath;
  private String certPemPath;
  private String keyPemPath;

  public SyncClientOptions(String baseUrl) {
    setBaseUrl(baseUrl);
  }

  public String baseUrl() {
    return baseUrl;
  }

  public SyncClientOptions setBaseUrl(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return this;
  }

  public String queue() {
    return queue;
  }

  public SyncClientOptions setQueue(String queue) {
    this.queue = queue == null ? DEFAULT_QUEUE : queue;
    return this;
  }

  /** The queue's primary-key field; when unset, the client asks the server ({@code /queues/Q/info}). */
  public String pk() {
    return pk;
  }

  public SyncClientOptions setPk(String pk) {
    this.pk = pk;
    return this;
  }

  public String publishSecret() {
    return publishSecret;
  }

  public SyncClientOptions setPublishSecret(String publishSecret) {
    this.publishSecret = publishSecret;
    return this;
  }

  public String subscribeSecret() {
    return subscribeSecret;
  }

  public SyncClientOptions setSubscribeSecret(String subscribeSecret) {
    this.subscribeSecret = subscribeSecret;
    return this;
  }

  /** A JWT sent as {@code Authorization: Bearer …} instead of time tokens signed with the secrets. */
  public String token() {
    return token;
  }

  public SyncClientOptions setToken(String token) {
    this.token = token;
    return this;
  }

  public Duration reconnectInitial() {
    return reconnectInitial;
  }

  /** The first delay before reconnecting; it doubles (with jitter) up to {@link #reconnectMax()}. */
  public SyncClientOptions setReconnectInitial(Duration reconnectInitial) {
    this.reconnectInitial = reconnectInitial;
    return this;
  }

  public Duration reconnectMax() {
    return reconnectMax;
  }

  public SyncClientOptions setReconnectMax(Duration reconnectMax) {
    this.reconnectMax = reconnectMax;
    return this;
  }

  public int maxLineBytes() {
    return maxLineBytes;
  }

  /** The longest line accepted from the server (the backlog arrives as one line). */
  public SyncClientOptions setMaxLineBytes(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
    return this;
  }

  public Duration retryFor() {
    return retryFor;
  }

  /**
   * How long a batch is retried, counted from its first attempt: no attempt starts later, and the
   * publication then fails with the last error. {@link Duration#ZERO} makes a single attempt.
   */
  public SyncClientOptions setRetryFor(Duration retryFor) {
    this.retryFor = atLeast(Duration.ZERO, "retryFor", retryFor);
    return this;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * How long one attempt to publish waits for a connection, and then for the server to send
   * something (a node sends its whole answer at once); past it the attempt fails as a timeout and
   * its connection is closed.
   */
  public SyncClientOptions setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = atLeast(Duration.ofMillis(1), "requestTimeout", requestTimeout);
    return this;
  }

  public Duration retryInitial() {
    return retryInitial;
  }

  /** The wait before retrying a batch the first time; it doubles (with jitter) up to {@link #retryMax()}. */
  public SyncClientOptions setRetryInitial(Duration retryInitial) {
    this.retryInitial = atLeast(Duration.ZERO, "retryInitial", retryInitial);
    return this;
  }

  public Duration retryMax() {
    return retryMax;
  }

  public SyncClientOptions setRetryMax(Duration retryMax) {
    this.retryMax = atLeast(Duration.ZERO, "retryMax", retryMax);
    return this;
  }

  private static Duration atLeast(Duration least, String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(least) < 0) {
      throw new IllegalArgumentException(name + " must be at least " + least.toMillis() + " ms, not " + value);
    }
    return value;
  }

  /** The CA certificates (PEM) to trust for https, instead of the Java runtime's; null for those. */
  public String trustPemPath() {
    return trustPemPath;
  }

  public SyncClientOptions setTrustPemPath(String trustPemPath) {
    this.trustPemPath = trustPemPath;
    return this;
  }

  /** The client certificate (PEM) presented over https; null for none. */
  public String certPemPath() {
    return certPemPath;
  }

  /** The private key (PEM) of {@link #certPemPath()}. */
  public String keyPemPath() {
    return keyPemPath;
  }

  /** A client certificate and its private key (PEM files), for nodes that ask for one. */
  public SyncClientOptions setKeyCertPemPaths(String certPemPath, String keyPemPath) {
    if ((certPemPath == null) != (keyPemPath == null)) {
      throw new IllegalArgumentException("a client certificate needs both its certificate and its key");
    }
    this.certPemPath = certPemPath;
    this.keyPemPath = keyPemPath;
    return this;
  }

  boolean https() {
    return baseUrl.regionMatches(true, 0, "https://", 0, "https://".length());
  }

  String path(String endpoint) {
    return DEFAULT_QUEUE.equals(queue) && !endpoint.equals("info") ? "/" + endpoint : "/queues/" + queue + "/" + endpoint;
  }
}
