package org.syncbus.contract;

/**
 * A refusal travelling through a failed future: its {@link Refusal} and what exactly was wrong
 * ({@code detail}, may be null; never a token or a secret).
 */
public final class Refused extends RuntimeException {
  private final Refusal refusal;
  private final String detail;

  Refused(Refusal refusal, String detail) {
    super(detail == null ? refusal.text() : detail, null, false, false);
    this.refusal = refusal;
    this.detail = detail;
  }

  public Refusal refusal() {
    return refusal;
  }

  /** What was wrong, or null. */
  public String detail() {
    return detail;
  }

  /** The HTTP body: the refusal's text, then the detail. */
  public String httpBody() {
    return detail == null ? refusal.text() : refusal.text() + ": " + detail;
  }
}
