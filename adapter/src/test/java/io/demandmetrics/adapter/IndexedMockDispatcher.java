package io.demandmetrics.adapter;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.Value;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * The Kubernetes mock's dispatcher as {@link KubernetesMixedDispatcher} is (recorded expectations
 * first, the rest to the CRUD store), with the store's lookup of one resource by name made a hash
 * lookup. fabric8's CRUD store finds the resource a POST, PUT or PATCH names by matching every
 * resource it holds ({@code KubernetesCrudDispatcher.findResource}), so creating n resources costs
 * n squared matches: 10,000 DemandMetrics took a minute to create, most of a scale test's time.
 * What the store holds and answers is unchanged; only the search is.
 */
final class IndexedMockDispatcher extends Dispatcher implements Resetable, CustomResourceAware {

    private final Map<ServerRequest, Queue<ServerResponse>> responses;
    private final MockDispatcher expectations;
    private final IndexedCrud crud = new IndexedCrud();

    IndexedMockDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
        this.responses = responses;
        this.expectations = new MockDispatcher(responses);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Queue<ServerResponse> expected = responses.get(
                new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
        return expected != null && !expected.isEmpty() ? expectations.dispatch(request) : crud.dispatch(request);
    }

    @Override
    public void shutdown() {
        expectations.shutdown();
        crud.shutdown();
    }

    @Override
    public void releaseResources() {
        expectations.releaseResources();
        crud.releaseResources();
    }

    @Override
    public void reset() {
        crud.reset();
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext context) {
        crud.expectCustomResource(context);
    }

    /**
     * fabric8's CRUD store with an index of its keys by resource name, kept in the store's
     * (insertion) order so that a lookup finds the same resource the scan would, first.
     */
    private static final class IndexedCrud extends KubernetesCrudDispatcher {
        private final Map<String, List<AttributeSet>> keysByName = new HashMap<>();

        @Override
        public synchronized Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
            Attribute name = query.getAttribute(KubernetesAttributesExtractor.NAME);
            if (name == null || name.getType() != AttributeType.WITH || name.getValues().size() != 1) {
                return super.findResource(query);
            }
            for (AttributeSet key : keysByName.getOrDefault(name.getValues().get(0).toString(), List.of())) {
                if (key.matches(query)) {
                    return new AbstractMap.SimpleImmutableEntry<>(key, map.get(key));
                }
            }
            return null;
        }

        @Override
        public synchronized void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                GenericKubernetesResource resource, String newState) {
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
            if (oldAttributes != null) {
                forEachName(oldAttributes, keys -> keys.remove(oldAttributes));
            }
            if (newState != null) {
                // An update that leaves name, namespace and labels as they were is stored under the
                // old key again: no need to extract it from the new state (a JSON parse per status write).
                AttributeSet stored = oldAttributes != null && map.containsKey(oldAttributes) ? oldAttributes
                        : storedKey(pathAttributes, resource, newState);
                forEachName(stored, keys -> keys.add(stored));
            }
        }

        /** The key the store has just put {@code newState} under, computed as it computes it. */
        private AttributeSet storedKey(AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
            KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) getAttributeExtractor();
            AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
            if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                key = AttributeSet.merge(pathAttributes, key);
            }
            if (!map.containsKey(key)) {
                // A newer mock that keys its store otherwise: fail here, not as a resource not found later.
                throw new IllegalStateException("the mock stored a resource under another key than " + key);
            }
            return key;
        }

        private void forEachName(AttributeSet key, java.util.function.Consumer<List<AttributeSet>> change) {
            Attribute name = key.getAttribute(KubernetesAttributesExtractor.NAME);
            if (name != null) {
                for (Value value : name.getValues()) {
                    change.accept(keysByName.computeIfAbsent(value.toString(), any -> new ArrayList<>()));
                }
            }
        }

        @Override
        public synchronized void reset() {
            super.reset();
            keysByName.clear();
        }
    }
}
