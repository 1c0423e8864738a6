package dev.offload;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Read tokens for one job: {@code EXPIRY.SIGNATURE}, where EXPIRY is the last second (Unix time)
 * the token is good for and SIGNATURE is base64url (no padding) of HMAC-SHA256 over {@code
 * "offload-progress-v1\n" + jobId + "\n" + EXPIRY} with the configured key. The prefix keeps these
 * signatures apart from anything else the same key might ever sign. The job id is not in the token:
 * the URL names the job, and a token signed for another job does not verify.
 */
final class ProgressTokens {
  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** The shortest key accepted: HMAC-SHA256 gains nothing beyond 32 bytes and is weak below 16. */
  static final int MIN_KEY_BYTES = 16;

  private final SecretKeySpec key;

  ProgressTokens(byte[] key) {
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
  }

  String issue(long jobId, Instant now, Duration ttl) {
    long expiry = now.plus(ttl).getEpochSecond();
    return expiry + "." + ENCODER.encodeToString(sign(jobId, expiry));
  }

  boolean verify(long jobId, String token, Instant now) {
    if (token == null) {
      return false;
    }
    int dot = token.indexOf('.');
    if (dot < 1 || dot > 19) {
      return false;
    }
    long expiry;
    byte[] given;
    try {
      expiry = Long.parseLong(token, 0, dot, 10);
      given = DECODER.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return false;
    }
    // Check the signature before the expiry, in constant time, so an answer tells nothing about
    // which part was wrong.
    boolean signed = MessageDigest.isEqual(sign(jobId, expiry), given);
    return signed && now.getEpochSecond() <= expiry;
  }

  private byte[] sign(long jobId, long expiry) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(
          ("offload-progress-v1\n" + jobId + "\n" + expiry).getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
    }
  }
}
