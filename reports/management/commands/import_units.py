from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.units import UnitImportError, import_units


class Command(BaseCommand):
    help = (
        "Nhập đơn vị từ tệp CSV (code,name,type,parent_code, có thể thêm "
        "valid_from,valid_to dạng dd/mm/yyyy). Tệp chỉ được nhập khi mọi dòng "
        "đều hợp lệ."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi."
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc}") from exc
        try:
            result = import_units(data, dry_run=dry_run)
        except UnitImportError as exc:
            raise CommandError(
                "Tệp bị từ chối, chưa nhập đơn vị nào:\n" + "\n".join(exc.errors)
            ) from exc
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {len(result.created)} đơn vị mới, "
                f"cập nhật {len(result.updated)} đơn vị."
            )
        )
