package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/**
 * {@link ChunkWriter} reaches the response's channel and encoder through Vert.x internals: if they
 * change, this fails loudly (rather than every line quietly going the slower way). Chunks it
 * writes after Vert.x wrote the head and a first chunk reach an HTTP client as one body, in order.
 */
class ChunkWriterTest extends IntegrationTest {
  @Test
  void chunksWrittenBelowVertxFollowItsOwnInOneChunkedBody() {
    Promise<Void> reached = Promise.promise();
    HttpServer server = await(vertx.createHttpServer().requestHandler(request -> {
      ChunkWriter writer = ChunkWriter.of(request);
      try {
        assertNotNull(writer, "Vert.x internals changed: " + request.connection().getClass());
        reached.complete();
      } catch (AssertionError e) {
        reached.fail(e);
        request.response().setStatusCode(500).end();
        return;
      }
      request.response().setChunked(true).write("first\n");
      ByteBuf chunk = Unpooled.directBuffer().writeBytes("7\r\nsecond\n\r\n".getBytes(StandardCharsets.US_ASCII));
      writer.write(chunk, true);
      writer.write(chunk, false); // flushed by Vert.x's end, in its place
      chunk.release();
      request.response().end("last\n");
    }).listen(0, TestNode.HOST));
    try {
      String body = await(vertx.createHttpClient().request(HttpMethod.GET, server.actualPort(), TestNode.HOST, "/")
          .compose(request -> request.send())
          .compose(response -> response.body())).toString(StandardCharsets.UTF_8);
      await(reached.future());
      assertEquals("first\nsecond\nsecond\nlast\n", body);
    } finally {
      await(server.close());
    }
  }
}
