package io.tornadoj.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Tornado's {@code @stream_request_body}: on a {@link RequestHandler} class, the request body is not collected
 * in memory but handed to {@link RequestHandler#dataReceived(byte[])} chunk by chunk as it arrives.
 *
 * <p>The handler is created as soon as the headers arrive; {@link RequestHandler#prepare()} runs before the
 * first chunk (a stage it returns delays the body; it may raise the size limit with
 * {@code request().connection().setMaxBodySize(n)}, or answer — e.g. 403 — and then no chunk is delivered and
 * the connection closes). Each chunk's stage, when {@code dataReceived} returns one, is flow control: the
 * connection reads nothing more until it completes. The HTTP method runs once the whole body arrived;
 * {@code request().body()} stays empty and no form arguments are parsed from the body. An exception in
 * {@code dataReceived} (or a failed stage) answers 500 (an {@link HTTPError} its status), logged once, and the
 * connection closes; a client that disconnects mid-body is reported to
 * {@link RequestHandler#onConnectionClose()} and the HTTP method never runs. Inherited by subclasses, as in
 * Tornado.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface StreamRequestBody {
}
