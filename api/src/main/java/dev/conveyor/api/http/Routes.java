package dev.conveyor.api.http;

import io.vertx.ext.web.Router;

/** A feature's routes, mounted on the router of each HTTP verticle instance. */
public interface Routes {
  void mount(Router router);
}
