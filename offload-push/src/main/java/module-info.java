/**
 * The Java side of push delivery: {@link dev.offload.push.PushReceiver}, a servlet that runs job
 * handlers in an app that is a push queue's endpoint.
 */
module dev.offload.push {
  requires transitive dev.offload;
  requires transitive jakarta.servlet;
  requires java.net.http;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.offload.push;
}
