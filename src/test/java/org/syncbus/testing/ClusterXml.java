package org.syncbus.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * One node's Hazelcast file for tests that run the packaged jar as real processes: the shipped
 * {@code conf/cluster.xml} with what differs between nodes changed in place (the cluster's name, the
 * node's fixed port, every member's address and port under {@code tcp-ip}, its own address under
 * {@code interfaces}, properties), everything else (the queues map, {@code fail.on.indeterminate.state})
 * as shipped, so that the tests run what ships.
 *
 * <p>Each member is named with its port, and the node's port does not auto-increment: without a
 * port Hazelcast tries three per address, finds other test clusters on this machine there, and its
 * split-brain search waits 5 s on each port that does not answer.
 */
public final class ClusterXml {
  public static final Path SHIPPED = Path.of("conf", "cluster.xml");
  private static final String HAZELCAST_SCHEMA = "http://www.hazelcast.com/schema/config";

  private ClusterXml() {}

  /**
   * The shipped file made into one node's: cluster {@code clusterName}, listening on
   * {@code ownAddress:port} (with {@code reuse-address} on, so that a node restarted at once after
   * a SIGKILL can bind its port again), joining {@code members} ({@code host:port} each), with
   * {@code properties} set.
   */
  public static String forNode(String clusterName, String ownAddress, int port, List<String> members,
                               Map<String, String> properties) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      Document document = factory.newDocumentBuilder().parse(SHIPPED.toFile());
      Element root = document.getDocumentElement();
      child(root, "cluster-name").setTextContent(clusterName);
      Element propertiesElement = child(root, "properties");
      properties.forEach((name, value) -> property(propertiesElement, name).setTextContent(value));
      Element network = child(root, "network");
      child(network, "reuse-address").setTextContent("true");
      Element portElement = child(network, "port");
      portElement.setAttribute("auto-increment", "false");
      portElement.setTextContent(Integer.toString(port));
      Element tcpIp = child(child(network, "join"), "tcp-ip");
      tcpIp.setAttribute("enabled", "true");
      removeChildren(tcpIp);
      for (String member : members) {
        tcpIp.appendChild(element(document, "member", member));
      }
      Element interfaces = child(network, "interfaces");
      interfaces.setAttribute("enabled", "true");
      removeChildren(interfaces);
      interfaces.appendChild(element(document, "interface", ownAddress));
      Transformer transformer = TransformerFactory.newInstance().newTransformer();
      transformer.setOutputProperty(OutputKeys.INDENT, "yes");
      StringWriter text = new StringWriter();
      transformer.transform(new DOMSource(document), new StreamResult(text));
      return text.toString();
    } catch (ParserConfigurationException | SAXException | TransformerException e) {
      throw new IOException("cannot make a node's cluster.xml from " + SHIPPED + ": " + e.getMessage(), e);
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
}
