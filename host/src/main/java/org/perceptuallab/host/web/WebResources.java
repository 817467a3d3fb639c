package org.perceptuallab.host.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** The pages and scripts plab serve ships as class-path resources beside these classes. */
final class WebResources {
    private WebResources() {
    }

    /** Answers with the resource {@code name}, of media type {@code type} in UTF-8. */
    static void send(Context ctx, String name, String type) throws IOException {
        try (InputStream in = WebResources.class.getResourceAsStream(name)) {
            ctx.contentType(type + "; charset=utf-8").result(in.readAllBytes());
        }
    }
}
