package attachments

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/wuye/wuye/models"
)

// S3Config names a bucket of any S3-compatible object storage (MinIO, a
// cloud provider's bucket). Endpoint empty means AWS itself.
type S3Config struct {
	Endpoint        string
	Bucket          string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle addresses the bucket as endpoint/bucket/key rather than
	// bucket.endpoint/key (MinIO and most self-hosted servers want it).
	PathStyle bool
}

// Problems lists what is wrong with c, each naming its variable (prefix,
// e.g. WUYE_ATTACHMENTS_S3_), never a secret's value.
func (c S3Config) Problems(prefix string) []string {
	var p []string
	if c.Bucket == "" {
		p = append(p, prefix+"BUCKET: required for S3 storage")
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p = append(p, fmt.Sprintf("%sENDPOINT=%q: want http(s)://host[:port], e.g. https://minio.example.com:9000", prefix, c.Endpoint))
		}
	}
	if c.Region == "" {
		p = append(p, prefix+"REGION: required (MinIO accepts us-east-1)")
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		p = append(p, prefix+"ACCESS_KEY_ID and "+prefix+"SECRET_ACCESS_KEY: both required for S3 storage")
	}
	return p
}

// S3 keeps blobs as objects of one bucket, named by their content hash.
type S3 struct {
	client *s3.Client
	bucket string
}

// NewS3 returns the store of cfg's bucket; httpClient nil means the SDK's.
func NewS3(cfg S3Config, httpClient *http.Client) (*S3, error) {
	if p := cfg.Problems("S3 "); len(p) > 0 {
		return nil, fmt.Errorf("s3 attachments: %v", p)
	}
	opts := s3.Options{
		Region:       cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		UsePathStyle: cfg.PathStyle,
		// Checksums only where the API requires them: S3-compatible
		// servers do not all know the newer trailing checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if httpClient != nil {
		opts.HTTPClient = httpClient
	}
	return &S3{client: s3.New(opts), bucket: cfg.Bucket}, nil
}

// Check asks for the bucket, to find a wrong endpoint, key or bucket at start.
func (b *S3) Check(ctx context.Context) error {
	if _, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.bucket)}); err != nil {
		return fmt.Errorf("s3 bucket %s: %w", b.bucket, err)
	}
	return nil
}

// Put stores data as the object name.
func (b *S3) Put(ctx context.Context, name string, data []byte, contentType string) error {
	if err := checkName(name); err != nil {
		return err
	}
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(name), Body: bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))), ContentType: aws.String(contentType),
	})
	if err != nil {
		return fmt.Errorf("put object %s: %w", name, err)
	}
	return nil
}

// Get reads the object name.
func (b *S3) Get(ctx context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("get object %s: %w", name, notFound(err))
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("read object %s: %w", name, err)
	}
	return data, nil
}

// Stat describes the object name.
func (b *S3) Stat(ctx context.Context, name string) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(name)})
	if err != nil {
		return Info{}, fmt.Errorf("head object %s: %w", name, notFound(err))
	}
	return Info{Size: aws.ToInt64(out.ContentLength)}, nil
}

// notFound turns S3's answers for a missing key into models.ErrNotFound.
func notFound(err error) error {
	var (
		nsk *types.NoSuchKey
		nf  *types.NotFound
		api smithy.APIError
	)
	if errors.As(err, &nsk) || errors.As(err, &nf) || errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey") {
		return models.ErrNotFound
	}
	return err
}
