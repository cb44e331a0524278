package io.demandmetrics.adapter.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.api.MetricPoint;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.objects.ObjectResolver;
import io.demandmetrics.adapter.objects.ReportedObjects;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Readings;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Selectors and combine, applied in one place by one rule for both APIs. */
class MetricViewTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final KubernetesResource PODS = KubernetesResource.byName("pods").orElseThrow();
    private static final MetricKey QUEUE = MetricKey.external("shop", "queue");
    private static final MetricKey RPS = new MetricKey(PODS, "shop", "rps");

    private final AtomicReference<Catalog> catalog = new AtomicReference<>(Catalog.of(List.of()));
    private final MetricView view = new MetricView(catalog::get, new ReportedObjects(),
            Clock.fixed(T0.plusSeconds(1), ZoneOffset.UTC));
    /**
     * What each of the view's combine calls was given: the picked series and whether the request
     * narrowed them (the poll's own call, for the reading's total, is cleared by {@link #serve}).
     */
    private final List<String> combineCalls = new ArrayList<>();

    private BiFunction<List<Sample>, Boolean, List<Sample>> summingCombine() {
        return (picked, narrowed) -> {
            combineCalls.add(picked.stream().map(s -> s.labels().getOrDefault("queue", "-")).toList() + " " + narrowed);
            return List.of(new Sample(null, Map.of("total", "yes"), picked.stream().mapToDouble(Sample::value).sum(),
                    null, null));
        };
    }

    private void serve(MetricState... states) {
        catalog.set(Catalog.of(List.of(states)));
        combineCalls.clear();
    }

    private static LabelSelector selector(String text) {
        return LabelSelector.parse(text);
    }

    private static <T> T answered(Future<T> future) {
        assertThat(future.isComplete()).isTrue();
        return future.result();
    }

    private static Throwable failed(Future<?> future) {
        assertThat(future.failed()).as("failed").isTrue();
        return future.cause();
    }

    @Test
    void externalSeriesArePickedBySelectorThenCombined() {
        MetricDefinition definition = Readings.definition(QUEUE, null, Duration.ofMinutes(1), null, summingCombine());
        serve(Readings.polled(definition, T0, List.of(Sample.of(Map.of("queue", "a"), 1),
                Sample.of(Map.of("queue", "b"), 2), Sample.of(Map.of("queue", "c"), 4))));
        MetricAnswer all = answered(view.values(MetricQuestion.external(QUEUE, LabelSelector.EVERYTHING)));
        MetricAnswer some = answered(view.values(MetricQuestion.external(QUEUE, selector("queue in (a,c)"))));
        assertThat(all.points()).extracting(MetricPoint::value).containsExactly(7.0);
        assertThat(some.points()).extracting(MetricPoint::value).containsExactly(5.0);
        assertThat(some.points().get(0).labels()).isEqualTo(Map.of("total", "yes"));
        assertThat(some.points().get(0).timestamp()).isEqualTo(T0); // combine gave none: the poll's
        assertThat(combineCalls).containsExactly("[a, b, c] false", "[a, c] true");
    }

    @Test
    void externalWithTheDefaultCombineServesEachPickedSeries() {
        MetricDefinition definition = Readings.definition(QUEUE, null, Duration.ofMinutes(1), null);
        serve(Readings.polled(definition, T0, List.of(Sample.of(Map.of("queue", "a"), 1),
                Sample.of(Map.of("queue", "b"), -2))));
        MetricAnswer values = answered(view.values(MetricQuestion.external(QUEUE, selector("queue!=a"))));
        assertThat(values.points()).extracting(p -> p.labels().get("queue"), MetricPoint::value)
                .containsExactly(tuple("b", 0.0));
    }

    @Test
    void customObjectsAreEachCombinedFromTheirOwnPickedSeriesThenSummed() {
        MetricDefinition definition = Readings.definition(RPS, null, Duration.ofMinutes(1), null, summingCombine());
        DescribedObject web0 = new DescribedObject("web-0", Map.of("app", "web"));
        DescribedObject web1 = new DescribedObject("web-1", Map.of("app", "web"));
        DescribedObject db0 = new DescribedObject("db-0", Map.of("app", "db"));
        serve(Readings.polled(definition, T0, List.of(
                new Sample(web0, Map.of("queue", "a"), 1, null, null),
                new Sample(web0, Map.of("queue", "b"), 2, null, null),
                new Sample(web1, Map.of("queue", "a"), 5, null, null),
                new Sample(db0, Map.of("queue", "a"), 100, null, null))));
        MetricAnswer web = answered(view.values(MetricQuestion.custom(RPS, "*", selector("app=web"),
                LabelSelector.EVERYTHING)));
        assertThat(web.points()).extracting(MetricPoint::objectName, MetricPoint::value)
                .containsExactly(tuple("web-0", 3.0), tuple("web-1", 5.0));
        combineCalls.clear();
        MetricAnswer onlyA = answered(view.values(MetricQuestion.custom(RPS, "web-0", LabelSelector.EVERYTHING,
                selector("queue=a"))));
        assertThat(onlyA.points()).extracting(MetricPoint::objectName, MetricPoint::value)
                .containsExactly(tuple("web-0", 1.0));
        assertThat(combineCalls).containsExactly("[a] true");
    }

    @Test
    void theConfiguredObjectIsCombinedEvenWithoutSeries() {
        MetricDefinition definition = Readings.definition(RPS, "web-0", Duration.ofMinutes(1), null,
                (picked, narrowed) -> List.of(Sample.of(picked.size() + 10)));
        serve(Readings.polled(definition, T0, List.of(new Sample(null, Map.of("queue", "a"), 1, null, null))));
        MetricAnswer none = answered(view.values(MetricQuestion.custom(RPS, "web-0", LabelSelector.EVERYTHING,
                selector("queue=zzz"))));
        assertThat(none.points()).extracting(MetricPoint::value).containsExactly(10.0);
    }

    @Test
    void unknownMetricsObjectsAndStaleValuesAreTypedFailures() {
        MetricDefinition stale = Readings.definition(QUEUE, null, Duration.ofSeconds(1), null);
        serve(Readings.polled(stale, T0.minusSeconds(60), List.of(Sample.of(1))),
                Readings.polled(Readings.definition(RPS, null, Duration.ofMinutes(1), null), T0,
                        List.of(Sample.forObject(DescribedObject.named("web-0"), 1))));
        assertThat(failed(view.values(MetricQuestion.external(MetricKey.external("shop", "nope"),
                LabelSelector.EVERYTHING)))).isInstanceOf(RequestFailure.UnknownMetric.class)
                .hasMessage("the server could not find the metric nope for namespace shop");
        assertThat(failed(view.values(MetricQuestion.external(QUEUE, LabelSelector.EVERYTHING))))
                .isInstanceOf(RequestFailure.StaleValue.class);
        assertThat(failed(view.values(MetricQuestion.custom(RPS, "web-9", LabelSelector.EVERYTHING,
                LabelSelector.EVERYTHING)))).isInstanceOf(RequestFailure.UnknownObject.class)
                .hasMessage("the server could not find the metric rps for pods web-9");
    }

    @Test
    void aCombineThatMakesNoQuantityIsAnUnusableValueNamingTheMetric() {
        MetricDefinition definition = Readings.definition(QUEUE, null, Duration.ofMinutes(1), null,
                (picked, narrowed) -> List.of(Sample.of(Double.NaN)));
        serve(Readings.polled(definition, T0, List.of(Sample.of(1))));
        assertThat(failed(view.values(MetricQuestion.external(QUEUE, LabelSelector.EVERYTHING))))
                .isInstanceOf(RequestFailure.UnusableValue.class)
                .hasMessage("metric \"shop/queue\" (type \"test\"): its provider combined the samples into NaN,"
                        + " which is not a quantity");
    }

    @Test
    void fallbackIsServedUncombinedForTheObjectAskedFor() {
        MetricDefinition definition = Readings.definition(RPS, null, Duration.ofSeconds(1), 3.0, summingCombine());
        serve(Readings.polled(definition, T0.minusSeconds(60), List.of(
                Sample.forObject(DescribedObject.named("web-0"), 1))));
        MetricAnswer seen = answered(view.values(MetricQuestion.custom(RPS, "*", LabelSelector.EVERYTHING,
                LabelSelector.EVERYTHING)));
        assertThat(seen.points()).extracting(MetricPoint::objectName, MetricPoint::value)
                .containsExactly(tuple("web-0", 3.0));
        // An object the cluster has (as informers would say) but the reading never described.
        ObjectResolver cluster = new ObjectResolver() {
            @Override
            public Future<Set<String>> matching(KubernetesResource resource, String namespace, LabelSelector selector,
                                                List<Sample> samples) {
                return Future.succeededFuture(Set.of("web-0", "web-7"));
            }

            @Override
            public long generation(KubernetesResource resource) {
                return 0;
            }
        };
        MetricAnswer unseen = answered(new MetricView(catalog::get, cluster, Clock.fixed(T0, ZoneOffset.UTC))
                .values(MetricQuestion.custom(RPS, "web-7", LabelSelector.EVERYTHING, LabelSelector.EVERYTHING)));
        assertThat(unseen.points()).extracting(MetricPoint::objectName, MetricPoint::value)
                .containsExactly(tuple("web-7", 3.0));
        assertThat(combineCalls).isEmpty();
    }

    @Test
    void valuesFromTheSameReadingHaveTheSameBasisAndANewReadingDoesNot() {
        MetricDefinition definition = Readings.definition(QUEUE, null, Duration.ofMinutes(1), null);
        serve(Readings.polled(definition, T0, List.of(Sample.of(1))));
        MetricAnswer first = answered(view.values(MetricQuestion.external(QUEUE, LabelSelector.EVERYTHING)));
        MetricAnswer again = answered(view.values(MetricQuestion.external(QUEUE, LabelSelector.EVERYTHING)));
        serve(Readings.polled(definition, T0, List.of(Sample.of(1))));
        MetricAnswer repolled = answered(view.values(MetricQuestion.external(QUEUE, LabelSelector.EVERYTHING)));
        assertThat(again.basis().sameAs(first.basis())).isTrue();
        assertThat(repolled.basis().sameAs(first.basis())).isFalse();
    }

    @Test
    void anAnswersBasisHoldsUntilTheReadingOrTheObjectsChange() {
        MetricDefinition definition = Readings.definition(RPS, null, Duration.ofMinutes(1), null, summingCombine());
        java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
        ObjectResolver objects = new ObjectResolver() {
            private final ReportedObjects reported = new ReportedObjects();

            @Override
            public Future<Set<String>> matching(KubernetesResource resource, String namespace, LabelSelector selector,
                                                List<Sample> samples) {
                return reported.matching(resource, namespace, selector, samples);
            }

            @Override
            public long generation(KubernetesResource resource) {
                return generation.get();
            }
        };
        MetricView cached = new MetricView(catalog::get, objects, Clock.fixed(T0.plusSeconds(1), ZoneOffset.UTC));
        DescribedObject web0 = new DescribedObject("web-0", Map.of("app", "web"));
        serve(Readings.polled(definition, T0, List.of(new Sample(web0, Map.of("queue", "a"), 1, null, null))));
        MetricQuestion question = MetricQuestion.custom(RPS, "*", selector("app=web"), LabelSelector.EVERYTHING);

        MetricAnswer first = answered(cached.values(question));
        assertThat(cached.basis(question).sameAs(first.basis())).as("unchanged: the answer holds").isTrue();

        generation.incrementAndGet(); // a pod came or went
        assertThat(cached.basis(question).sameAs(first.basis())).isFalse();
        MetricAnswer afterObjects = answered(cached.values(question));
        assertThat(cached.basis(question).sameAs(afterObjects.basis())).isTrue();

        serve(Readings.polled(definition, T0, List.of(new Sample(web0, Map.of("queue", "a"), 4, null, null))));
        assertThat(cached.basis(question).sameAs(afterObjects.basis())).isFalse();
        assertThat(answered(cached.values(question)).points()).extracting(MetricPoint::value).containsExactly(4.0);

        MetricQuestion external = MetricQuestion.external(QUEUE, LabelSelector.EVERYTHING);
        MetricDefinition queue = Readings.definition(QUEUE, null, Duration.ofMinutes(1), null);
        serve(Readings.polled(queue, T0, List.of(Sample.of(2))));
        MetricAnswer queued = answered(cached.values(external));
        assertThat(cached.basis(external).sameAs(queued.basis())).isTrue();
        generation.incrementAndGet(); // objects do not matter to an external metric
        assertThat(cached.basis(external).sameAs(queued.basis())).isTrue();
        serve(Readings.polled(queue, T0, List.of(Sample.of(3))));
        assertThat(cached.basis(external).sameAs(queued.basis())).isFalse();
    }
}
