package dev.offload.push;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Offload's request signature, Stripe's scheme: {@code Offload-Signature: t=UNIX_SECONDS,v1=HEX}
 * where HEX is the HMAC-SHA256, keyed with the queue's secret, of {@code t + "." + body}. A header
 * may carry several {@code v1} values (while a secret is rotated); one match is enough.
 */
final class PushSignature {
  static final String HEADER = "Offload-Signature";

  private final byte[] secret;
  private final Duration tolerance;

  PushSignature(byte[] secret, Duration tolerance) {
    this.secret = secret.clone();
    this.tolerance = tolerance;
  }

  /** Why {@code header} does not sign {@code body} at {@code now}, or null when it does. */
  @Nullable String refusal(@Nullable String header, byte[] body, Instant now) {
    if (header == null || header.isBlank()) {
      return "the " + HEADER + " header is missing";
    }
    Long t = null;
    java.util.List<String> signatures = new java.util.ArrayList<>();
    for (String part : header.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = part.substring(0, eq).trim();
      String value = part.substring(eq + 1).trim();
      if (name.equals("t")) {
        try {
          t = Long.parseLong(value);
        } catch (NumberFormatException e) {
          return "the " + HEADER + " timestamp is not a number";
        }
      } else if (name.equals("v1")) {
        signatures.add(value);
      }
    }
    if (t == null || signatures.isEmpty()) {
      return "the " + HEADER + " header needs t= and v1=";
    }
    long age = now.getEpochSecond() - t;
    if (Math.abs(age) > tolerance.toSeconds()) {
      return "the "
          + HEADER
          + " timestamp is "
          + age
          + " s away from this server's clock (tolerance "
          + tolerance.toSeconds()
          + " s)";
    }
    byte[] expected = hmac(t, body);
    for (String hex : signatures) {
      byte[] given;
      try {
        given = HexFormat.of().parseHex(hex);
      } catch (IllegalArgumentException e) {
        continue;
      }
      // Constant time: the comparison's duration says nothing about how many bytes matched.
      if (MessageDigest.isEqual(expected, given)) {
        return null;
      }
    }
    return "the " + HEADER + " does not match the body (wrong secret?)";
  }

  /** The header Offload sends for {@code body} at {@code t}. */
  String header(long t, byte[] body) {
    return "t=" + t + ",v1=" + HexFormat.of().formatHex(hmac(t, body));
  }

  private byte[] hmac(long t, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
