package io.demandmetrics.adapter.metrics;

import io.demandmetrics.adapter.failure.RequestFailure;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The families a {@code /metrics} reader asked for with {@code name[]} parameters, as
 * Prometheus' own client libraries take them ({@code /metrics?name[]=demand_adapter_buckets_held}):
 * a family is shown when a name given is the family's or one of its series'
 * ({@code foo_total}, {@code foo_count}, {@code foo_sum}, {@code foo_bucket}, {@code foo_created}
 * or {@code foo_info} for family {@code foo}). Without {@code name[]}, every family.
 *
 * <p>So a probe, a dashboard's exporter or a benchmark that needs one gauge reads a few hundred
 * bytes instead of the megabytes the full exposition is at ten thousand metrics.
 */
public final class FamilyFilter {

    /** Every family: no {@code name[]} given. */
    public static final FamilyFilter ALL = new FamilyFilter(null);
    /** More names than this is a 400: the request line bounds the rest, this bounds the work. */
    public static final int MAX_NAMES = 100;

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final List<String> SERIES_SUFFIXES = List.of("_total", "_created", "_count", "_sum", "_bucket",
            "_info");

    /** The family names shown (each name given, and its family's when it names a series); null: all. */
    private final Set<String> families;

    private FamilyFilter(Set<String> families) {
        this.families = families;
    }

    /**
     * @param names the values of the request's {@code name[]} parameters, in any order
     * @throws RequestFailure.BadRequest for more than {@link #MAX_NAMES} names or one that is not a metric name
     */
    public static FamilyFilter of(List<String> names) {
        if (names.isEmpty()) {
            return ALL;
        }
        if (names.size() > MAX_NAMES) {
            throw new RequestFailure.BadRequest("at most " + MAX_NAMES + " name[] parameters, got " + names.size());
        }
        Set<String> families = new TreeSet<>();
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw new RequestFailure.BadRequest("name[] must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got \""
                        + (name.length() > 100 ? name.substring(0, 100) + "..." : name) + "\"");
            }
            families.add(name);
            for (String suffix : SERIES_SUFFIXES) {
                if (name.endsWith(suffix) && name.length() > suffix.length()) {
                    families.add(name.substring(0, name.length() - suffix.length()));
                }
            }
        }
        return new FamilyFilter(families);
    }

    /** Whether the family named {@code family} (its name without series suffixes) is shown. */
    boolean includes(String family) {
        return families == null || families.contains(family);
    }

    /** The family names for Micrometer's registry ({@code scrape(.., includedNames)}); null: all. */
    Set<String> familiesOrNull() {
        return families;
    }

    /** The same for equal filters: where answers built for one reader may be shared with another. */
    public String key() {
        return families == null ? "" : String.join(",", families);
    }
}
