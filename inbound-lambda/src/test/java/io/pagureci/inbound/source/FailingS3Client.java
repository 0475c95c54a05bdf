package io.pagureci.inbound.source;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Delegates to a real client, but fails UploadPart for one part number (as S3 would: a 500), and
 * counts what it was asked to do.
 */
class FailingS3Client implements S3Client {

  private final S3Client delegate;
  private final int failOnPart;
  volatile int createCalls;
  volatile int abortCalls;
  volatile int completeCalls;
  volatile int putCalls;

  /** Bytes handed to UploadPart and PutObject. */
  final java.util.concurrent.atomic.AtomicLong uploadedBytes =
      new java.util.concurrent.atomic.AtomicLong();

  // failOnPart < 1: never fails (subclasses add delays)

  FailingS3Client(S3Client delegate, int failOnPart) {
    this.delegate = delegate;
    this.failOnPart = failOnPart;
  }

  @Override
  public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest r) {
    createCalls++;
    return delegate.createMultipartUpload(r);
  }

  @Override
  public UploadPartResponse uploadPart(UploadPartRequest r, RequestBody body) {
    if (r.partNumber() == failOnPart) {
      throw (S3Exception)
          S3Exception.builder()
              .statusCode(500)
              .message("injected failure on part " + failOnPart)
              .build();
    }
    uploadedBytes.addAndGet(body.optionalContentLength().orElse(0L));
    return delegate.uploadPart(r, body);
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest r) {
    completeCalls++;
    return delegate.completeMultipartUpload(r);
  }

  @Override
  public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest r) {
    abortCalls++;
    return delegate.abortMultipartUpload(r);
  }

  @Override
  public PutObjectResponse putObject(PutObjectRequest r, RequestBody body) {
    putCalls++;
    uploadedBytes.addAndGet(body.optionalContentLength().orElse(0L));
    return delegate.putObject(r, body);
  }

  @Override
  public String serviceName() {
    return delegate.serviceName();
  }

  @Override
  public void close() {
    // the delegate belongs to the test server
  }
}
