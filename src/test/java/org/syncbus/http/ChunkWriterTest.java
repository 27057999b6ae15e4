package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.syncbus.support.NettyChannels;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/**
 * {@link ChunkWriter} reaches the response's channel and encoder through Vert.x internals, and
 * knows the shape of the pipeline Vert.x builds: if either changes, this fails loudly (rather than
 * every line quietly going the slower way, or every idle stream quietly keeping Vert.x's objects).
 * Chunks it writes after Vert.x wrote the head and a first chunk reach an HTTP client as one body,
 * in order, before and after it took the channel over.
 */
class ChunkWriterTest extends IntegrationTest {
  @Test
  void chunksWrittenBelowVertxFollowItsOwnInOneChunkedBody() {
    Promise<Void> reached = Promise.promise();
    HttpServer server = await(vertx.createHttpServer().requestHandler(request -> {
      ChunkWriter writer = ChunkWriter.of(request, connection -> {});
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

  @Test
  void aHandedOverStreamHoldsNoneOfVertxsHttpHandlersAndEndsWithTheFinalChunkThenACloseAsItsHeadSaid() {
    Promise<HttpConnection> handedOver = Promise.promise();
    Promise<List<String>> pipeline = Promise.promise();
    // Options as the edge's (HttpVerticle): no WebSocket compression, whose handler would stay in the pipeline.
    HttpServerOptions options = new HttpServerOptions().setStrictThreadMode(true).setHttp2ClearTextEnabled(false)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
    HttpServer server = await(vertx.createHttpServer(options).requestHandler(request -> {
      ChunkWriter writer = ChunkWriter.of(request, handedOver::complete);
      request.response().setChunked(true).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE).write("first\n")
          .onSuccess(written -> {
            Channel channel = NettyChannels.of(request.connection());
            if (!writer.handOver(new ChannelInboundHandlerAdapter(), 1024)) {
              pipeline.fail("Vert.x's pipeline changed: " + channel.pipeline().names());
              channel.close();
              return;
            }
            pipeline.complete(channel.pipeline().names());
            ByteBuf chunk = Unpooled.directBuffer().writeBytes("7\r\nsecond\n\r\n".getBytes(StandardCharsets.US_ASCII));
            writer.write(chunk, false);
            chunk.release();
            writer.write(Buffer.buffer("third\n"), true);
            writer.end(10_000, () -> { });
          });
    }).listen(0, TestNode.HOST));
    try (Socket socket = new Socket(TestNode.HOST, server.actualPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertEquals(List.of("stream", "DefaultChannelPipeline$TailContext#0"), await(pipeline.future()));
      assertNotNull(await(handedOver.future()), "the connection Vert.x no longer serves was handed to the listener");
      assertTrue(received.startsWith("HTTP/1.1 200"), received);
      assertTrue(received.toLowerCase(Locale.ROOT).contains("connection: close"), received);
      assertTrue(received.endsWith("\r\n\r\n6\r\nfirst\n\r\n7\r\nsecond\n\r\n6\r\nthird\n\r\n0\r\n\r\n"),
          "every chunk in order, the final chunk, then the end of the connection: " + received);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      await(server.close());
    }
  }
}
