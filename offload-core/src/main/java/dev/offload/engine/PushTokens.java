package dev.offload.engine;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two credentials of a push delivery.
 *
 * <p>The <b>signature</b> ({@code Offload-Signature: t=UNIX_SECONDS,v1=HEX}) is Stripe's scheme:
 * HEX is HMAC-SHA256, keyed with the queue's secret, of {@code t + "." + body}, so the endpoint
 * knows the request came from Offload and when.
 *
 * <p>The <b>job token</b> lets the endpoint report progress: {@code ID.DIGEST}, where DIGEST is
 * base64url (no padding) of SHA-256 over {@code "offload-job-token-v1\n" + id + "\n" + claimToken}.
 * The claim token is drawn from a {@link java.security.SecureRandom} for push queues and is never
 * sent anywhere, so the job token cannot be guessed; any node can check it against the running row
 * without a shared key; and it dies with the attempt, whose claim token it is bound to. A token of
 * one job says nothing about another's claim token (SHA-256 is one-way).
 */
final class PushTokens {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private PushTokens() {}

  static String jobToken(long id, long claimToken) {
    return id + "." + ENCODER.encodeToString(digest(id, claimToken));
  }

  /** Whether {@code token} is job {@code id}'s token for the attempt holding {@code claimToken}. */
  static boolean matches(String token, long id, long claimToken) {
    if (token == null) {
      return false;
    }
    byte[] expected = jobToken(id, claimToken).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8));
  }

  /** The job id a token names, or -1 when it is not shaped like a job token. */
  static long jobId(String token) {
    int dot = token == null ? -1 : token.indexOf('.');
    if (dot < 1 || dot > 19) {
      return -1;
    }
    try {
      return Long.parseLong(token, 0, dot, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String signature(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] digest(long id, long claimToken) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return sha.digest(
          ("offload-job-token-v1\n" + id + "\n" + claimToken).getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
