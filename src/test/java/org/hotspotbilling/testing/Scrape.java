package org.hotspotbilling.testing;

import java.util.HashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;

/** One read of {@code GET /q/metrics}, parsed the way Prometheus reads its text format. */
public final class Scrape {

    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    public static Scrape now() {
        return new Scrape(given().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    public String text() {
        return text;
    }

    /**
     * The value of the sample {@code name} whose labels include {@code labels} ("key", "value", ...); 0 when there
     * is none (a counter not yet incremented is not exported). Fails when several samples match.
     */
    public double value(String name, String... labels) {
        Double found = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sampleName = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
            if (!sampleName.equals(name)) {
                continue;
            }
            Map<String, String> sampleLabels = brace < 0 ? Map.of() : labels(line.substring(brace + 1,
                    line.lastIndexOf('}')));
            boolean matches = true;
            for (int i = 0; i < labels.length; i += 2) {
                matches &= labels[i + 1].equals(sampleLabels.get(labels[i]));
            }
            if (matches) {
                if (found != null) {
                    throw new AssertionError("Several samples of " + name + " match " + String.join(",", labels));
                }
                found = Double.parseDouble(line.substring(space + 1));
            }
        }
        return found == null ? 0 : found;
    }

    private static Map<String, String> labels(String inside) {
        Map<String, String> labels = new HashMap<>();
        int i = 0;
        while (i < inside.length()) {
            int eq = inside.indexOf('=', i);
            int end = inside.indexOf('"', eq + 2);
            labels.put(inside.substring(i, eq), inside.substring(eq + 2, end));
            i = end + 2; // past the closing quote and the comma
        }
        return labels;
    }
}
