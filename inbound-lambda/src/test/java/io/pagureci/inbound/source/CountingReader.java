package io.pagureci.inbound.source;

import java.io.FilterInputStream;
import java.io.IOException;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.ObjectStream;

/**
 * An object reader that counts the blob bytes read through it, streamed or whole; sizes asked for
 * ({@code getObjectSize}, {@code ObjectLoader.getSize}) and trees are not counted.
 */
final class CountingReader extends ObjectReader.Filter {

  private final ObjectReader delegate;
  private long blobBytes;

  CountingReader(ObjectReader delegate) {
    this.delegate = delegate;
  }

  /** Blob bytes read so far. */
  long blobBytes() {
    return blobBytes;
  }

  @Override
  protected ObjectReader delegate() {
    return delegate;
  }

  @Override
  public ObjectLoader open(AnyObjectId id) throws IOException {
    return open(id, OBJ_ANY);
  }

  @Override
  public ObjectLoader open(AnyObjectId id, int typeHint) throws IOException {
    ObjectLoader loader = delegate.open(id, typeHint);
    return loader.getType() == Constants.OBJ_BLOB ? new Counting(loader) : loader;
  }

  private final class Counting extends ObjectLoader {
    private final ObjectLoader loader;

    Counting(ObjectLoader loader) {
      this.loader = loader;
    }

    @Override
    public int getType() {
      return loader.getType();
    }

    @Override
    public long getSize() {
      return loader.getSize();
    }

    @Override
    public boolean isLarge() {
      return loader.isLarge();
    }

    @Override
    public byte[] getCachedBytes() {
      byte[] bytes = loader.getCachedBytes();
      blobBytes += bytes.length;
      return bytes;
    }

    @Override
    public ObjectStream openStream() throws IOException {
      ObjectStream in = loader.openStream();
      return new ObjectStream.Filter(
          in.getType(),
          in.getSize(),
          new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
              int b = super.read();
              if (b >= 0) {
                blobBytes++;
              }
              return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              int n = super.read(b, off, len);
              if (n > 0) {
                blobBytes += n;
              }
              return n;
            }
          });
    }
  }
}
