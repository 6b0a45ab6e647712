# Nix flake for xeapp: a dev shell, the app as a package and an OCI image.
#
#   nix develop ./packaging                 shell with Python 3.12 and every dependency
#   nix build ./packaging                   the app: result/bin/xeapp
#   nix build ./packaging#image             OCI image: docker load < result
#
# The flake sits in packaging/, so it takes the source from the parent directory.
{
  description = "xeapp: discover, pre-check and upgrade Cisco IOS-XE 17.x devices";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The interpreter is pinned here; xeapp needs Python 3.11 or newer.
      pythonFor = pkgs: pkgs.python312;

      runtimeDeps = ps: with ps; [
        nicegui
        ncclient
        netmiko
        ntc-templates
        paramiko
        xmltodict
        lxml
        tinydb
        apscheduler
        pywebview
        platformdirs
        keyring
        pyyaml
        psutil
      ];

      testDeps = ps: with ps; [ pytest pytest-asyncio httpx mypy types-pyyaml ];

      xeappFor = pkgs:
        let python = pythonFor pkgs;
        in python.pkgs.buildPythonApplication {
          pname = "xeapp";
          version = "0.1.0";
          pyproject = true;
          src = ./..;
          build-system = [ python.pkgs.setuptools python.pkgs.wheel ];
          dependencies = runtimeDeps python.pkgs;
          # nixpkgs may lag the minimum versions in pyproject.toml; the tests below decide.
          pythonRelaxDeps = true;
          nativeCheckInputs = [ python.pkgs.pytestCheckHook ] ++ testDeps python.pkgs;
          # The bundle and browser tests need PyInstaller or Chromium, which the build lacks.
          pytestFlagsArray = [ "-m" "'not slow and not browser'" ];
          preCheck = ''
            export HOME="$(mktemp -d)"
          '';
          pythonImportsCheck = [ "xeapp" ];
          meta = {
            description = "Discover, pre-check and upgrade Cisco IOS-XE 17.x switches and routers";
            license = nixpkgs.lib.licenses.asl20;
            mainProgram = "xeapp";
          };
        };
    in
    {
      packages = forAllSystems (pkgs:
        let xeapp = xeappFor pkgs;
        in {
          inherit xeapp;
          default = xeapp;
        } // nixpkgs.lib.optionalAttrs pkgs.stdenv.isLinux {
          image = pkgs.dockerTools.buildLayeredImage {
            name = "xeapp";
            tag = "latest";
            contents = [ xeapp pkgs.cacert pkgs.dockerTools.fakeNss ];
            extraCommands = "mkdir -p data tmp && chmod 1777 tmp";
            config = {
              Entrypoint = [ "${xeapp}/bin/xeapp" ];
              # Serving 0.0.0.0 needs a UI password: set one first with
              #   docker run -it -v xeapp-data:/data xeapp:latest run --set-ui-password
              Cmd = [ "run" "--browser" "--no-show" "--host" "0.0.0.0" ];
              Env = [
                "XEAPP_DATA_DIR=/data"
                "PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring"
                "SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
              ];
              ExposedPorts = { "8765/tcp" = { }; "80/tcp" = { }; "8080/tcp" = { }; };
              Volumes = { "/data" = { }; };
            };
          };
        });

      devShells = forAllSystems (pkgs:
        let python = pythonFor pkgs;
        in {
          default = pkgs.mkShell {
            packages = [
              (python.withPackages (ps: runtimeDeps ps ++ testDeps ps ++ [ ps.pyinstaller ]))
              pkgs.ruff
              pkgs.shellcheck
            ];
            shellHook = ''
              export PYTHONPATH="$PWD''${PYTHONPATH:+:$PYTHONPATH}"
            '';
          };
        });

      checks = forAllSystems (pkgs: { xeapp = xeappFor pkgs; });
    };
}
