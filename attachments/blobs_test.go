package attachments

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/wuye/wuye/models"
)

// TestBlobs runs the same contract against the directory store and the S3
// store talking to gofakes3, an S3 API server, in-process.
func TestBlobs(t *testing.T) {
	stores := map[string]func(t *testing.T) Blobs{
		"dir": func(t *testing.T) Blobs {
			d, err := NewDir(t.TempDir())
			require.NoError(t, err)
			return d
		},
		"s3": func(t *testing.T) Blobs {
			backend := s3mem.New()
			require.NoError(t, backend.CreateBucket("photos"))
			srv := httptest.NewServer(gofakes3.New(backend).Server())
			t.Cleanup(srv.Close)
			b, err := NewS3(S3Config{Endpoint: srv.URL, Bucket: "photos", Region: "us-east-1",
				AccessKeyID: "test", SecretAccessKey: "test-secret", PathStyle: true}, srv.Client())
			require.NoError(t, err)
			require.NoError(t, b.Check(context.Background()))
			return b
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			b := open(t)
			data := []byte("a photo's bytes")
			key := Name(data)

			_, err := b.Get(ctx, key)
			require.True(t, errors.Is(err, models.ErrNotFound), "get before put: got %v, want not found", err)
			_, err = b.Stat(ctx, key)
			require.True(t, errors.Is(err, models.ErrNotFound), "stat before put: got %v, want not found", err)

			require.NoError(t, b.Put(ctx, key, data, MimeJPEG))
			require.NoError(t, b.Put(ctx, key, data, MimeJPEG), "a second put of the same content")
			got, err := b.Get(ctx, key)
			require.NoError(t, err)
			require.Equal(t, data, got)
			info, err := b.Stat(ctx, key)
			require.NoError(t, err)
			require.Equal(t, int64(len(data)), info.Size)

			for _, bad := range []string{"../../etc/passwd", "ABC", key[:10], key + "0", "zz" + key[2:]} {
				_, err := b.Get(ctx, bad)
				require.True(t, errors.Is(err, models.ErrNotFound), "get %q: got %v, want not found", bad, err)
				require.Error(t, b.Put(ctx, bad, data, MimeJPEG), "put %q", bad)
			}
		})
	}
}

func TestS3ConfigProblems(t *testing.T) {
	good := S3Config{Endpoint: "https://minio.example.com:9000", Bucket: "b", Region: "us-east-1", AccessKeyID: "k", SecretAccessKey: "s"}
	require.Empty(t, good.Problems("P_"))
	tests := []struct {
		name string
		give func(c *S3Config)
		want string
	}{
		{"no bucket", func(c *S3Config) { c.Bucket = "" }, "P_BUCKET"},
		{"bad endpoint", func(c *S3Config) { c.Endpoint = "minio:9000" }, "P_ENDPOINT"},
		{"no region", func(c *S3Config) { c.Region = "" }, "P_REGION"},
		{"no secret", func(c *S3Config) { c.SecretAccessKey = "" }, "P_ACCESS_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.give(&c)
			p := c.Problems("P_")
			require.Len(t, p, 1)
			require.Contains(t, p[0], tt.want)
		})
	}
}
