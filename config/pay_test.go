package config

import (
	"strings"
	"testing"

	"github.com/wuye/wuye/models"
)

func TestLoadPayProviders(t *testing.T) {
	secret := strings.Repeat("s", MinPaySecret)
	tests := []struct {
		name    string
		env     Environment
		want    []string // name:channel of the providers loaded
		problem string   // a variable named in the error, "" for none
	}{
		{"none", Environment{}, nil, ""},
		{"two", Environment{"WUYE_PAY_PROVIDERS": "wechat:wechat, union-pay:bank", "WUYE_PAY_SECRET_WECHAT": secret, "WUYE_PAY_SECRET_UNION_PAY": secret},
			[]string{"wechat:wechat", "union-pay:bank"}, ""},
		{"no secret", Environment{"WUYE_PAY_PROVIDERS": "wechat:wechat"}, nil, "WUYE_PAY_SECRET_WECHAT"},
		{"short secret", Environment{"WUYE_PAY_PROVIDERS": "wechat:wechat", "WUYE_PAY_SECRET_WECHAT": "short"}, nil, "WUYE_PAY_SECRET_WECHAT"},
		{"unknown channel", Environment{"WUYE_PAY_PROVIDERS": "wechat:paypal", "WUYE_PAY_SECRET_WECHAT": secret}, nil, "WUYE_PAY_PROVIDERS"},
		{"bad name", Environment{"WUYE_PAY_PROVIDERS": "WeChat:wechat"}, nil, "WUYE_PAY_PROVIDERS"},
		{"twice", Environment{"WUYE_PAY_PROVIDERS": "wechat:wechat,wechat:bank", "WUYE_PAY_SECRET_WECHAT": secret}, nil, "WUYE_PAY_PROVIDERS"},
		{"window too long", Environment{"WUYE_PAY_NOTIFY_WINDOW": "2h"}, nil, "WUYE_PAY_NOTIFY_WINDOW"},
	}
	for _, tt := range tests {
		c, err := Load(tt.env)
		if tt.problem != "" {
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("%s: got %v, want a problem naming %s", tt.name, err, tt.problem)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error shows the secret", tt.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: got %v, want it loaded", tt.name, err)
			continue
		}
		var got []string
		for _, p := range c.Pay {
			got = append(got, p.String())
			if string(p.Secret) != secret {
				t.Errorf("%s: provider %s got another secret", tt.name, p)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
		if c.PayNotifyWindow != models.DefaultNotifyWindow {
			t.Errorf("%s: window got %v, want %v", tt.name, c.PayNotifyWindow, models.DefaultNotifyWindow)
		}
	}
}
