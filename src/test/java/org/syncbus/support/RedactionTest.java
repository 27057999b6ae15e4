package org.syncbus.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** README, "Limits": tokens and secrets never reach the log, whatever logs them. */
class RedactionTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      GET /poll?hmac=1700000000:abcdef                      | GET /poll?hmac=***
      GET /poll?data=%7B%7D&hmac=17:ab&x=1                  | GET /poll?data=%7B%7D&hmac=***&x=1
      GET /events?access_token=eyJhbGci.eyJzdWIi.c2ln       | GET /events?access_token=***
      /queues/q/info?HMAC=1:2 and ACCESS_TOKEN=x            | /queues/q/info?HMAC=*** and ACCESS_TOKEN=***
      Authorization: Bearer eyJhbGci.eyJzdWIi.c2ln          | Authorization: Bearer ***
      authorization: bearer abc/def+ghi=                    | authorization: bearer ***
      nothing to hide here: data=[1] hmacs                  | nothing to hide here: data=[1] hmacs
      """)
  void credentialsAreMasked(String line, String masked) {
    assertEquals(masked, Redaction.mask(line));
  }
}
