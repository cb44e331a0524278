package io.demandmetrics.scaler.kafka.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/** Topics, messages and committed offsets on a test broker. */
public final class KafkaData implements AutoCloseable {

    private final Admin admin;
    private final KafkaProducer<String, String> producer;

    public KafkaData(String bootstrapServers) {
        admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        producer = new KafkaProducer<>(p);
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

    /** Produces {@code counts[i]} messages to partition i, so its latest offset is counts[i]. */
    public void produce(String topic, long... counts) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int partition = 0; partition < counts.length; partition++) {
            for (long i = 0; i < counts[partition]; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, partition, null, "m" + i)));
            }
        }
        producer.flush();
        for (var f : sent) {
            f.get(30, TimeUnit.SECONDS);
        }
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
