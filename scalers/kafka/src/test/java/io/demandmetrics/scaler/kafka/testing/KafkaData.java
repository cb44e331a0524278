package io.demandmetrics.scaler.kafka.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/** Topics, messages and committed offsets on a test broker. */
public final class KafkaData implements AutoCloseable {

    /**
     * How many producers {@link #produce} tries before it gives up. A batch can stay unanswered
     * until it expires although the broker is up and leads the partition (seen twice in CI, a
     * few per cent of runs: 24 records for one partition expired after the producer's default
     * 120 s while the other partitions were written; the cause was not found): a new producer
     * then writes what is missing.
     */
    private static final int PRODUCE_ATTEMPTS = 4;

    private final String bootstrapServers;
    private final Admin admin;
    private KafkaProducer<String, String> producer;

    public KafkaData(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
        producer = newProducer();
    }

    private KafkaProducer<String, String> newProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        // A stuck batch fails after 30 s instead of 120, leaving time for another producer.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        return new KafkaProducer<>(p);
    }

    public Admin admin() {
        return admin;
    }

    /**
     * Creates the topic and returns once every partition has a leader: a record sent before
     * that can wait out the producer's whole delivery timeout (seen once in CI: 120 s, then
     * expired) instead of being sent when the leader appears.
     */
    public void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        Awaitility.await("every partition of " + topic + " has a leader").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> everyPartitionLed(topic));
    }

    private boolean everyPartitionLed(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().stream().allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
    }

    /**
     * Produces {@code counts[i]} more messages to partition i, so its latest offset grows by
     * exactly counts[i]. The broker's latest offsets decide what is still missing, so a retry
     * after a stuck batch ({@link #PRODUCE_ATTEMPTS}) writes no message twice; should a batch
     * given up for lost land after all while this runs, the offsets overshoot and this fails
     * saying so.
     */
    public void produce(String topic, long... counts) throws Exception {
        long[] wanted = latestOffsets(topic, counts.length);
        for (int partition = 0; partition < counts.length; partition++) {
            wanted[partition] += counts[partition];
        }
        for (int attempt = 1;; attempt++) {
            long[] reached = latestOffsets(topic, counts.length);
            long[] missing = new long[counts.length];
            for (int partition = 0; partition < counts.length; partition++) {
                missing[partition] = wanted[partition] - reached[partition];
                if (missing[partition] < 0) {
                    throw new IllegalStateException(topic + ": latest offsets " + Arrays.toString(reached)
                            + " went past the wanted " + Arrays.toString(wanted) + " (a batch given up for lost landed)");
                }
            }
            if (Arrays.stream(missing).allMatch(count -> count == 0)) {
                return;
            }
            try {
                send(topic, missing);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TimeoutException) || attempt == PRODUCE_ATTEMPTS) {
                    throw e;
                }
                // Said on the test's output so that CI logs show how often this is needed.
                System.err.println("KafkaData: producing to " + topic + " failed (" + e.getCause().getMessage()
                        + "); a new producer writes what is missing, attempt " + (attempt + 1) + " of " + PRODUCE_ATTEMPTS);
                producer.close(Duration.ZERO);
                producer = newProducer();
            }
        }
    }

    private void send(String topic, long[] counts) throws Exception {
        List<Future<?>> sent = new ArrayList<>();
        for (int partition = 0; partition < counts.length; partition++) {
            for (long i = 0; i < counts[partition]; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, partition, null, "m" + i)));
            }
        }
        producer.flush();
        for (var f : sent) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    private long[] latestOffsets(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        var found = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        long[] offsets = new long[partitions];
        for (int partition = 0; partition < partitions; partition++) {
            offsets[partition] = found.get(new TopicPartition(topic, partition)).offset();
        }
        return offsets;
    }

    /** Commits offsets for the group: {@code offsets[i]} for partition i, none where it is negative. */
    public void commit(String group, String topic, long... offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (int partition = 0; partition < offsets.length; partition++) {
            if (offsets[partition] >= 0) {
                commits.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offsets[partition]));
            }
        }
        admin.alterConsumerGroupOffsets(group, commits).all().get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }
}
