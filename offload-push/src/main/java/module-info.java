/**
 * The Java side of push delivery: {@link dev.offload.push.PushReceiver}, a servlet that runs job
 * handlers in an app that is a push queue's endpoint, and {@link
 * dev.offload.push.LambdaPushHandler} for AWS Lambda.
 */
module dev.offload.push {
  requires transitive dev.offload;
  requires transitive jakarta.servlet;
  requires java.net.http;
  // LambdaPushHandler only; the jar has no module name of its own.
  requires static aws.lambda.java.core;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.offload.push;
}
