package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.jobs.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Declarative payload rules of a job type. A worker stores them (as JSON) when it declares its types,
 * so any API process can check payloads of types whose code it does not have.
 * Either any JSON is accepted, or the payload must be an object whose listed fields follow their rules.
 */
public final class PayloadRules {
  private final boolean objectRequired;
  private final Map<String, Field> fields;

  private PayloadRules(boolean objectRequired, Map<String, Field> fields) {
    this.objectRequired = objectRequired;
    this.fields = Collections.unmodifiableMap(fields);
  }

  public static PayloadRules any() {
    return new PayloadRules(false, Map.of());
  }

  public static PayloadRules object() {
    return new PayloadRules(true, new LinkedHashMap<>());
  }

  public PayloadRules integer(String name, boolean required, long min, long max) {
    return with(name, new Field(Kind.INTEGER, required, min, max, List.of()));
  }

  public PayloadRules string(String name, boolean required) {
    return with(name, new Field(Kind.STRING, required, 0, 0, List.of()));
  }

  public PayloadRules oneOf(String name, boolean required, String... allowed) {
    return with(name, new Field(Kind.ENUM, required, 0, 0, List.of(allowed)));
  }

  private PayloadRules with(String name, Field field) {
    if (!objectRequired) {
      throw new IllegalStateException("field rules need PayloadRules.object()");
    }
    Map<String, Field> copy = new LinkedHashMap<>(fields);
    copy.put(name, field);
    return new PayloadRules(true, copy);
  }

  /** Every broken rule, in field order; empty when the payload is acceptable. */
  public List<String> check(JsonNode payload) {
    if (!objectRequired) {
      return List.of();
    }
    if (!payload.isObject()) {
      return List.of("payload must be a JSON object");
    }
    List<String> problems = new ArrayList<>();
    fields.forEach((name, field) -> {
      JsonNode value = payload.get(name);
      if (value == null || value.isNull()) {
        if (field.required) {
          problems.add("payload." + name + " is required");
        }
        return;
      }
      String problem = field.check(value);
      if (problem != null) {
        problems.add("payload." + name + " " + problem);
      }
    });
    return problems;
  }

  public JsonNode toJson() {
    ObjectNode node = Json.object();
    node.put("object", objectRequired);
    ObjectNode fieldsNode = node.putObject("fields");
    fields.forEach((name, field) -> {
      ObjectNode f = fieldsNode.putObject(name);
      f.put("kind", field.kind.name());
      f.put("required", field.required);
      f.put("min", field.min);
      f.put("max", field.max);
      ArrayNode allowed = f.putArray("allowed");
      field.allowed.forEach(allowed::add);
    });
    return node;
  }

  public static PayloadRules fromJson(JsonNode node) {
    Map<String, Field> fields = new LinkedHashMap<>();
    node.path("fields").fields().forEachRemaining(entry -> {
      JsonNode f = entry.getValue();
      List<String> allowed = new ArrayList<>();
      f.path("allowed").forEach(a -> allowed.add(a.asText()));
      fields.put(entry.getKey(), new Field(Kind.valueOf(f.get("kind").asText()), f.get("required").asBoolean(),
          f.get("min").asLong(), f.get("max").asLong(), List.copyOf(allowed)));
    });
    return new PayloadRules(node.path("object").asBoolean(), fields);
  }

  private enum Kind { INTEGER, STRING, ENUM }

  private record Field(Kind kind, boolean required, long min, long max, List<String> allowed) {
    String check(JsonNode value) {
      switch (kind) {
        case INTEGER:
          if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            return "must be an integer";
          }
          long n = value.longValue();
          return n < min || n > max ? "must be between " + min + " and " + max : null;
        case STRING:
          return value.isTextual() ? null : "must be a string";
        default:
          return value.isTextual() && allowed.contains(value.textValue())
              ? null : "must be one of " + String.join(", ", allowed);
      }
    }
  }
}
