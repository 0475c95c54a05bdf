package io.pagureci.inbound.aws;

import java.math.BigDecimal;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reading and writing the attributes of the build-records table (docs/queue.md §5). */
final class DynamoDbItems {

  private DynamoDbItems() {}

  /** An item attribute is missing or of the wrong type; the message names it, never its value. */
  static final class UnreadableItemException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableItemException(String message) {
      super(message);
    }
  }

  static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }

  static String requiredString(Map<String, AttributeValue> item, String name)
      throws UnreadableItemException {
    String v = optionalString(item, name);
    if (v == null) {
      throw new UnreadableItemException("attribute " + name + " is missing");
    }
    return v;
  }

  static String optionalString(Map<String, AttributeValue> item, String name)
      throws UnreadableItemException {
    AttributeValue v = item.get(name);
    if (v == null) {
      return null;
    }
    if (v.s() == null) {
      throw new UnreadableItemException("attribute " + name + " is not a string");
    }
    return v.s();
  }

  static long requiredNumber(Map<String, AttributeValue> item, String name)
      throws UnreadableItemException {
    Long v = optionalNumber(item, name);
    if (v == null) {
      throw new UnreadableItemException("attribute " + name + " is missing");
    }
    return v;
  }

  static Long optionalNumber(Map<String, AttributeValue> item, String name)
      throws UnreadableItemException {
    AttributeValue v = item.get(name);
    if (v == null) {
      return null;
    }
    if (v.n() == null) {
      throw new UnreadableItemException("attribute " + name + " is not a number");
    }
    try {
      return new BigDecimal(v.n()).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new UnreadableItemException("attribute " + name + " is not a whole number");
    }
  }
}
