package org.syncbus.partition;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Three syncbus nodes, one per namespace of {@link Namespaces}, started from the packaged jar with
 * the command an operator would use on three machines:
 * {@code java -Xmx256m -Dvertx.hazelcast.config=FILE -jar target/syncbus.jar -conf CONF -cluster
 * -cluster-host CLUSTER_ADDRESS}.
 *
 * <p>Each node's Hazelcast file is the shipped {@code conf/cluster.xml} with what differs between
 * machines changed in place (the three cluster-link addresses with their port under
 * {@code tcp-ip}, the node's own under {@code interfaces}, a cluster name of this run) and the timing this test relies on set
 * explicitly: heartbeat 1 s, a member declared gone after {@value #MAX_NO_HEARTBEAT_SECONDS} s
 * without one, split-brain merges tried 10 s after start, then every 5 s. Everything else (the
 * queues map, {@code fail.on.indeterminate.state}, split-brain protection if the file has any)
 * comes from the shipped file, so the test runs what ships.
 */
final class NetCluster implements AutoCloseable {
  static final int MAX_NO_HEARTBEAT_SECONDS = 6;
  static final int MERGE_FIRST_RUN_DELAY_SECONDS = 10;
  static final int MERGE_NEXT_RUN_DELAY_SECONDS = 5;
  static final String PUBLISH_SECRET = "partition-it-publish";
  static final String SUBSCRIBE_SECRET = "partition-it-subscribe";
  static final String PK = "id";
  private static final int HAZELCAST_PORT = 5701;
  private static final Path JAR = Path.of("target", "syncbus.jar").toAbsolutePath();
  private static final Path SHIPPED_CLUSTER_XML = Path.of("conf", "cluster.xml");
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final String HAZELCAST_SCHEMA = "http://www.hazelcast.com/schema/config";
  private static final Map<String, String> HAZELCAST_PROPERTIES = Map.of(
      "hazelcast.heartbeat.interval.seconds", "1",
      "hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS),
      "hazelcast.merge.first.run.delay.seconds", Integer.toString(MERGE_FIRST_RUN_DELAY_SECONDS),
      "hazelcast.merge.next.run.delay.seconds", Integer.toString(MERGE_NEXT_RUN_DELAY_SECONDS));

  private final List<NetNode> nodes;

  private NetCluster(List<NetNode> nodes) {
    this.nodes = nodes;
  }

  /** Starts the three nodes at once (their files and logs in {@code dir}); does not wait for them. */
  static NetCluster start(Namespaces network, Path dir) throws IOException {
    Files.createDirectories(dir);
    if (!Files.exists(JAR)) {
      throw new IOException(JAR + " is missing: run mvn package first");
    }
    Path config = Files.writeString(dir.resolve("syncbus.json"), syncbusConfig().encodePrettily());
    String clusterName = "syncbus-partition-it-" + UUID.randomUUID();
    List<NetNode> nodes = new ArrayList<>();
    NetCluster cluster = new NetCluster(nodes);
    try {
      for (int i = 1; i <= Namespaces.NODES; i++) {
        Path clusterXml = dir.resolve("cluster" + i + ".xml");
        Files.writeString(clusterXml, clusterXml(network, i, clusterName));
        nodes.add(NetNode.start(network, i, List.of(JAVA.toString(), "-Xmx256m",
            "-Dvertx.hazelcast.config=" + clusterXml.toAbsolutePath(),
            "-jar", JAR.toString(), "-conf", config.toAbsolutePath().toString(),
            "-cluster", "-cluster-host", network.clusterAddress(i)), dir.resolve("node" + i + ".log")));
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The syncbus configuration of every node: HTTP on all interfaces of its namespace, a majority of three. */
  static JsonObject syncbusConfig() {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "0.0.0.0").put("port", NetNode.HTTP_PORT))
        .put("auth", new JsonObject().put("timeTokens", new JsonObject().put("enabled", true)))
        .put("cluster", new JsonObject().put("members", Namespaces.NODES))
        .put("log", new JsonObject().put("level", "INFO"))
        .put("queues", new JsonObject().put("default", new JsonObject()
            .put("pk", PK)
            .put("type", "keyed")
            .put("secrets", new JsonObject().put("publish", PUBLISH_SECRET).put("subscribe", SUBSCRIBE_SECRET))
            .put("backlog", new JsonObject().put("type", "none"))));
  }

  /** The shipped {@code conf/cluster.xml} made into node {@code node}'s file on the test network. */
  static String clusterXml(Namespaces network, int node, String clusterName) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      Document document = factory.newDocumentBuilder().parse(SHIPPED_CLUSTER_XML.toFile());
      Element root = document.getDocumentElement();
      child(root, "cluster-name").setTextContent(clusterName);
      Element properties = child(root, "properties");
      HAZELCAST_PROPERTIES.forEach((name, value) -> property(properties, name).setTextContent(value));
      Element networkElement = child(root, "network");
      // One port per namespace, named with each member: without a port, Hazelcast tries three per
      // address, and its split-brain search waits 5 s on each port that does not answer, which
      // would delay the merge after the heal by half a minute.
      Element port = child(networkElement, "port");
      port.setAttribute("auto-increment", "false");
      port.setTextContent(Integer.toString(HAZELCAST_PORT));
      Element tcpIp = child(child(networkElement, "join"), "tcp-ip");
      tcpIp.setAttribute("enabled", "true");
      removeChildren(tcpIp);
      for (int i = 1; i <= Namespaces.NODES; i++) {
        tcpIp.appendChild(element(document, "member", network.clusterAddress(i) + ":" + HAZELCAST_PORT));
      }
      Element interfaces = child(networkElement, "interfaces");
      interfaces.setAttribute("enabled", "true");
      removeChildren(interfaces);
      interfaces.appendChild(element(document, "interface", network.clusterAddress(node)));
      Transformer transformer = TransformerFactory.newInstance().newTransformer();
      transformer.setOutputProperty(OutputKeys.INDENT, "yes");
      StringWriter text = new StringWriter();
      transformer.transform(new DOMSource(document), new StreamResult(text));
      return text.toString();
    } catch (ParserConfigurationException | SAXException | TransformerException e) {
      throw new IOException("cannot make a node's cluster.xml from " + SHIPPED_CLUSTER_XML + ": " + e.getMessage(), e);
    }
  }

  /** The first child element {@code name} of {@code parent}, made if there is none. */
  private static Element child(Element parent, String name) {
    NodeList children = parent.getElementsByTagNameNS(HAZELCAST_SCHEMA, name);
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i).getParentNode() == parent) {
        return (Element) children.item(i);
      }
    }
    Element made = parent.getOwnerDocument().createElementNS(HAZELCAST_SCHEMA, name);
    parent.appendChild(made);
    return made;
  }

  private static Element property(Element properties, String name) {
    NodeList children = properties.getElementsByTagNameNS(HAZELCAST_SCHEMA, "property");
    for (int i = 0; i < children.getLength(); i++) {
      Element property = (Element) children.item(i);
      if (property.getAttribute("name").equals(name)) {
        return property;
      }
    }
    Element made = properties.getOwnerDocument().createElementNS(HAZELCAST_SCHEMA, "property");
    made.setAttribute("name", name);
    properties.appendChild(made);
    return made;
  }

  private static Element element(Document document, String name, String text) {
    Element element = document.createElementNS(HAZELCAST_SCHEMA, name);
    element.setTextContent(text);
    return element;
  }

  private static void removeChildren(Element parent) {
    for (Node child = parent.getFirstChild(); child != null; child = parent.getFirstChild()) {
      parent.removeChild(child);
    }
  }

  List<NetNode> nodes() {
    return nodes;
  }

  /** The nodes other than {@code node}. */
  List<NetNode> others(NetNode node) {
    return nodes.stream().filter(other -> other != node).toList();
  }

  /** Each node's last lines of output, for failure messages. */
  String logTails(int lines) {
    StringBuilder text = new StringBuilder();
    for (NetNode node : nodes) {
      text.append("\n--- ").append(node).append(", ").append(node.logFile()).append(" ---\n").append(node.logTail(lines));
    }
    return text.toString();
  }

  /** Kills every node (SIGKILL by PID; a paused one too) and waits for each to be gone. */
  @Override
  public void close() {
    List<String> failures = new ArrayList<>();
    for (NetNode node : nodes) {
      try {
        node.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add(node + ": interrupted");
      } catch (AssertionError e) {
        failures.add(e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("stopping the nodes: " + String.join("; ", failures));
    }
  }
}
