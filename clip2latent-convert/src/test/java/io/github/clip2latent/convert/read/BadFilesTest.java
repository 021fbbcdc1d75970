package io.github.clip2latent.convert.read;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Each bad file is refused with a message naming the file, the entry and the problem. */
class BadFilesTest {

    @TempDir Path dir;

    private static void assertMessage(ConversionException e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "contains '" + p + "': " + m);
        }
    }

    private Path zipWithPickle(String name, byte[] pickle) throws IOException {
        Map<String, byte[]> e = TestZips.entries();
        e.put("archive/data.pkl", pickle);
        e.put("archive/version", "3\n".getBytes());
        return TestZips.write(dir.resolve(name), e);
    }

    @Test
    void osSystemIsRefusedAndNotRun() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] pickle =
                new TestZips.Pickle()
                        .global("posix", "system")
                        .mark()
                        .str("touch " + marker)
                        .tuple()
                        .reduce()
                        .stop();
        Path file = zipWithPickle("evil.pt", pickle);
        ConversionException e =
                assertThrows(ConversionException.class, () -> TorchZipReader.readObject(file));
        assertMessage(e, file, "archive/data.pkl", "refused pickle global 'posix.system'");
        assertFalse(Files.exists(marker), "the command must not have run");
        Path file2 =
                zipWithPickle(
                        "evil2.pt",
                        new TestZips.Pickle()
                                .global("os", "system")
                                .mark()
                                .str("touch " + marker)
                                .tuple()
                                .reduce()
                                .stop());
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file2)),
                file2,
                "refused pickle global 'os.system'");
        assertFalse(Files.exists(marker));
    }

    @Test
    void builtinsEvalIsRefused() throws IOException {
        byte[] pickle =
                new TestZips.Pickle()
                        .global("builtins", "eval")
                        .mark()
                        .str("__import__('os').system('true')")
                        .tuple()
                        .reduce()
                        .stop();
        Path file = zipWithPickle("eval.pt", pickle);
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readObject(file)),
                file,
                "archive/data.pkl",
                "refused pickle global 'builtins.eval'");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = Files.write(dir.resolve("empty.ckpt"), new byte[0]);
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file)),
                file,
                "file",
                "empty file (0 bytes)");
    }

    @Test
    void truncatedZip() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.path("prior/prior.ckpt"));
        Path file =
                Files.write(
                        dir.resolve("half.ckpt"), java.util.Arrays.copyOf(whole, whole.length / 2));
        assertMessage(
                assertThrows(
                        ConversionException.class,
                        () -> TorchZipReader.readStateDict(file, "state_dict")),
                file,
                "zip",
                "no end-of-central-directory record",
                "truncated");
    }

    @Test
    void missingDataPkl() throws IOException {
        Map<String, byte[]> e = TestZips.entries();
        e.put("000510/data/0", new byte[16]);
        e.put("000510/version", "3\n".getBytes());
        Path file = TestZips.write(dir.resolve("nopkl.ckpt"), e);
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file)),
                file,
                "<folder>/data.pkl",
                "missing");
    }

    @Test
    void zipThatIsNotACheckpoint() throws IOException {
        Map<String, byte[]> e = TestZips.entries();
        e.put("readme.txt", "hello".getBytes());
        Path file = TestZips.write(dir.resolve("docs.zip"), e);
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readObject(file)),
                file,
                "data.pkl",
                "not a PyTorch checkpoint");
    }

    private Path oneTensor(
            String name, String storageClass, int numel, int[] size, Map<String, byte[]> data)
            throws IOException {
        TestZips.Pickle p = new TestZips.Pickle().emptyDict().str("w");
        int[] stride = new int[size.length];
        int st = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            stride[i] = st;
            st *= size[i];
        }
        p.tensor(storageClass, "0", numel, 0, size, stride).setItem();
        Map<String, byte[]> e = TestZips.entries();
        e.put("archive/data.pkl", p.stop());
        e.putAll(data);
        return TestZips.write(dir.resolve(name), e);
    }

    @Test
    void missingStorageEntry() throws IOException {
        Path file = oneTensor("nostorage.pt", "FloatStorage", 6, new int[] {2, 3}, Map.of());
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file)),
                file,
                "archive/data/0",
                "missing storage entry");
    }

    @Test
    void shortStorageEntry() throws IOException {
        Path file =
                oneTensor(
                        "short.pt",
                        "FloatStorage",
                        6,
                        new int[] {2, 3},
                        Map.of("archive/data/0", new byte[8]));
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file)),
                file,
                "archive/data/0",
                "storage entry too short",
                "need 24 bytes, the entry has 8");
    }

    @Test
    void unknownDtype() throws IOException {
        Path file =
                oneTensor(
                        "complex.pt",
                        "ComplexFloatStorage",
                        2,
                        new int[] {2},
                        Map.of("archive/data/0", new byte[16]));
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file)),
                file,
                "archive/data.pkl",
                "unknown dtype",
                "torch.ComplexFloatStorage");
    }

    @Test
    void shapeLargerThanItsStorage() throws IOException {
        Path file =
                oneTensor(
                        "big.pt",
                        "FloatStorage",
                        4,
                        new int[] {3, 2},
                        Map.of("archive/data/0", new byte[16]));
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file)),
                file,
                "archive/data/0",
                "shape [3, 2]",
                "larger than its storage",
                "of 4 elements");
    }

    @Test
    void classInstantiationOpcodeIsRefused() throws IOException {
        byte[] pickle = new TestZips.Pickle().mark().op('i').raw2("posix\nsystem\n").stop();
        Path file = zipWithPickle("inst.pt", pickle);
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readObject(file)),
                file,
                "archive/data.pkl",
                "refused pickle opcode");
    }

    @Test
    void missingKeyInAStateDict() {
        Path file = Fixtures.path("prior/prior.ckpt");
        try (StateDict sd = TorchZipReader.readStateDict(file, "state_dict")) {
            assertMessage(
                    assertThrows(
                            ConversionException.class,
                            () -> sd.get("ema_diffusion_prior.ema_model.net.nope")),
                    file,
                    "key 'ema_diffusion_prior.ema_model.net.nope'",
                    "no such tensor");
        }
        assertMessage(
                assertThrows(
                        ConversionException.class,
                        () -> TorchZipReader.readStateDict(file, "model")),
                file,
                "000510/data.pkl root",
                "no key 'model'");
    }

    @Test
    void safetensorsHeaderLongerThanTheFile() throws IOException {
        Path file = TensorLayoutTest.safetensors(dir.resolve("cut.safetensors"), "{}", new byte[0]);
        byte[] b = Files.readAllBytes(file);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0x10;
        Files.write(file, b);
        assertMessage(
                assertThrows(
                        ConversionException.class, () -> SafetensorsReader.readStateDict(file)),
                file,
                "header",
                "header length 4351 is outside");
    }

    @Test
    void safetensorsDataOutsideTheFile() throws IOException {
        Path file =
                TensorLayoutTest.safetensors(
                        dir.resolve("short.safetensors"),
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                        new byte[8]);
        assertMessage(
                assertThrows(
                        ConversionException.class, () -> SafetensorsReader.readStateDict(file)),
                file,
                "tensor 'w'",
                "data_offsets [0, 16] outside the data section of 8 bytes");
    }

    @Test
    void safetensorsUnknownDtype() throws IOException {
        Path file =
                TensorLayoutTest.safetensors(
                        dir.resolve("fp8.safetensors"),
                        "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}",
                        new byte[4]);
        assertMessage(
                assertThrows(
                        ConversionException.class, () -> SafetensorsReader.readStateDict(file)),
                file,
                "tensor 'w'",
                "unknown dtype 'F8_E4M3'");
    }

    @Test
    void zipGivenAsNetworkPickle() {
        Path file = Fixtures.path("prior/prior.ckpt");
        assertMessage(
                assertThrows(ConversionException.class, () -> NetworkPickleReader.read(file)),
                file,
                "file",
                "not a network pickle");
    }

    @Test
    void truncatedNetworkPickle() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.path("stylegan2/network-snapshot-025000.pkl"));
        Path file =
                Files.write(
                        dir.resolve("cut.pkl"), java.util.Arrays.copyOf(whole, whole.length / 2));
        ConversionException e =
                assertThrows(ConversionException.class, () -> NetworkPickleReader.read(file));
        assertMessage(e, file, "pickle");
        assertTrue(
                e.getMessage().contains("truncated") || e.getMessage().contains("ends early"),
                e.getMessage());
    }

    @Test
    void missingNetwork() {
        Path file = Fixtures.path("stylegan3/network-snapshot-025000.pkl");
        NetworkPickle pkl = NetworkPickleReader.read(file);
        assertMessage(
                assertThrows(ConversionException.class, () -> pkl.network("G_avg")),
                file,
                "key 'G_avg'",
                "no such network");
        assertMessage(
                assertThrows(ConversionException.class, () -> pkl.network("training_set_kwargs")),
                file,
                "key 'training_set_kwargs'",
                "expected a network");
    }
}
