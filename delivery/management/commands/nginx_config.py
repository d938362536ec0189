"""manage.py nginx_config: the web server's configuration for every site (delivery/nginx.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from delivery.nginx import config


class Command(BaseCommand):
    help = "生成 nginx 配置:静态化页面由 nginx 直接提供,信箱、表单、搜索、接口和后台转给应用。"

    def add_arguments(self, parser):
        parser.add_argument("--listen", default="80", help="nginx 监听的地址或端口(默认 80)")
        parser.add_argument("--upstream", default="127.0.0.1:8000", help="应用(gunicorn)的地址")
        parser.add_argument("--server-name", action="append", dest="server_names",
                            help="一台机器部署时平台自己的域名(可重复;默认接受任何域名)")
        parser.add_argument("--standalone", action="store_true",
                            help="生成完整的 nginx.conf(pid、日志、临时文件在 --prefix 下),普通用户即可运行")
        parser.add_argument("--prefix", default=None, help="--standalone 时 nginx 的工作目录")
        parser.add_argument("--output", "-o", default=None, help="写入文件(默认输出到屏幕)")
        parser.add_argument("--user", default=None,
                            help="--standalone 时 nginx 工作进程的用户和组(默认当前用户;当前用户是 root 时为 www-data)")

    def handle(self, *args, listen, upstream, server_names, standalone, prefix, output, user, **options):
        if standalone and prefix:
            for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                (Path(prefix) / sub).mkdir(parents=True, exist_ok=True)
        text = config(listen=listen, upstream=upstream, server_names=server_names, standalone=standalone,
                      prefix=Path(prefix).resolve() if prefix else None, user=user)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"已写入 {output}")
        else:
            self.stdout.write(text)
