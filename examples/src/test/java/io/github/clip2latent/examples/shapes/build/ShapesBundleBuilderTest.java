package io.github.clip2latent.examples.shapes.build;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.examples.shapes.clip.ClipOnnxModels;
import io.github.clip2latent.fixtures.RandomBundles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A work folder resumes only the plan that made it: a stage another seed or CLIP budget wrote is
 * refused before anything is trained or written, instead of carrying that plan's CLIP into this
 * one's bundle.
 */
class ShapesBundleBuilderTest {

    @TempDir Path dir;

    @Test
    void aWorkFolderOfAnotherSeedIsRefusedBeforeAnythingIsWritten() throws IOException {
        BuildPlan standard = BuildPlan.standard();
        Path work = dir.resolve("work");
        ModelBundle random =
                RandomBundles.write(dir.resolve("random"), RandomBundles.Spec.tiny(), 3);
        BundleWriter writer = BundleWriter.basedOn(random, work.resolve("stage1"));
        ShapesBundleBuilder.planFacts(standard).forEach(writer::provenance);
        writer.write();
        Path out = dir.resolve("out");
        List<String> progress = new ArrayList<>();

        IOException refused =
                assertThrows(
                        IOException.class,
                        () ->
                                ShapesBundleBuilder.build(
                                        standard.withSeed(2), work, out, progress::add));

        String message = refused.getMessage();
        assertTrue(message.contains(work.resolve("stage1").toString()), message);
        assertTrue(message.contains("shapes.buildSeed=1"), message);
        assertTrue(message.contains("shapes.buildSeed=2"), message);
        assertFalse(Files.exists(out), "no bundle after a refusal");
        assertFalse(Files.exists(work.resolve("dataset")), "no dataset after a refusal");
    }

    @Test
    void aTrainedClipOfAnotherSeedOrWithoutItsRecordIsRefused() throws IOException {
        Path work = dir.resolve("clip-work");
        Path clip = work.resolve("clip");
        Files.createDirectories(clip);
        Files.write(clip.resolve(ClipOnnxModels.IMAGE_ENCODER_FILE), new byte[] {1});
        Path out = dir.resolve("clip-out");
        BuildPlan standard = BuildPlan.standard();

        IOException unrecorded =
                assertThrows(
                        IOException.class,
                        () -> ShapesBundleBuilder.build(standard, work, out, line -> {}));
        assertTrue(unrecorded.getMessage().contains(clip.toString()), unrecorded.getMessage());
        assertTrue(unrecorded.getMessage().contains("(not recorded)"), unrecorded.getMessage());

        new ObjectMapper()
                .writeValue(
                        clip.resolve(ShapesBundleBuilder.CLIP_PLAN_FILE).toFile(),
                        ShapesBundleBuilder.planFacts(standard.withSeed(3)));
        IOException otherSeed =
                assertThrows(
                        IOException.class,
                        () -> ShapesBundleBuilder.build(standard, work, out, line -> {}));
        assertTrue(otherSeed.getMessage().contains("shapes.buildSeed=3"), otherSeed.getMessage());
        assertFalse(Files.exists(work.resolve("stage1-uncalibrated")), "no stage after a refusal");
        assertFalse(Files.exists(out), "no bundle after a refusal");
    }

    @Test
    void aStageIsReusedOnlyWithEveryFactOfThePlanRecorded() {
        BuildPlan plan = BuildPlan.standard().withSeed(5);
        Path stage = dir.resolve("stage1");
        Map<String, String> facts = ShapesBundleBuilder.planFacts(plan);

        assertDoesNotThrow(() -> ShapesBundleBuilder.checkSamePlan(stage, facts, plan));
        IOException otherSteps =
                assertThrows(
                        IOException.class,
                        () ->
                                ShapesBundleBuilder.checkSamePlan(
                                        stage, facts, plan.withSteps(100, plan.priorSteps())));
        String message = otherSteps.getMessage();
        assertTrue(message.contains("shapes.clipSteps=100"), message);
        IOException unrecorded =
                assertThrows(
                        IOException.class,
                        () -> ShapesBundleBuilder.checkSamePlan(stage, Map.of(), plan));
        assertTrue(unrecorded.getMessage().contains("(not recorded)"), unrecorded.getMessage());
    }
}
