/* Prints DH key pairs, session and AKE keys made by the library it is linked to (the
 * real libotr for src/crypto/testdata/libotr_dh.txt):
 *   gcc dhvec.c -o dhvec -lotr -lgcrypt && ./dhvec > src/crypto/testdata/libotr_dh.txt */
#include <stdio.h>
#include <gcrypt.h>
#include <libotr/proto.h>
#include <libotr/dh.h>
static void pm(const char *n, gcry_mpi_t m){ unsigned char *b; size_t l; gcry_mpi_aprint(GCRYMPI_FMT_HEX,&b,&l,m); printf("%s=%s\n",n,b); gcry_free(b);}
static void ph(const char *n, const unsigned char *b, int l){ printf("%s=",n); for(int i=0;i<l;i++)printf("%02x",b[i]); printf("\n");}
int main(){ OTRL_INIT; DH_keypair a,b; otrl_dh_keypair_init(&a); otrl_dh_keypair_init(&b);
 otrl_dh_gen_keypair(DH1536_GROUP_ID,&a); otrl_dh_gen_keypair(DH1536_GROUP_ID,&b);
 pm("apriv",a.priv); pm("apub",a.pub); pm("bpriv",b.priv); pm("bpub",b.pub);
 DH_sesskeys s; otrl_dh_session_blank(&s); otrl_dh_session(&s,&a,b.pub);
 ph("sendmackey",s.sendmackey,20); ph("rcvmackey",s.rcvmackey,20); ph("extrakey",s.extrakey,32);
 unsigned char sid[20]; size_t sidlen; gcry_cipher_hd_t c,cp; gcry_md_hd_t m1,m1p,m2,m2p;
 otrl_dh_compute_v2_auth_keys(&a,b.pub,sid,&sidlen,&c,&cp,&m1,&m1p,&m2,&m2p); ph("ssid",sid,sidlen);
 unsigned char z[16]={0}, out[16]; gcry_cipher_encrypt(c,out,16,z,16); ph("c_enc_zero",out,16);
 gcry_cipher_reset(cp); gcry_cipher_setctr(cp,NULL,0); gcry_cipher_encrypt(cp,out,16,z,16); ph("cp_enc_zero",out,16);
 gcry_md_write(m1,"abc",3); ph("m1_abc",gcry_md_read(m1,GCRY_MD_SHA256),32);
 gcry_md_write(m2p,"abc",3); ph("m2p_abc",gcry_md_read(m2p,GCRY_MD_SHA256),32);
 gcry_mpi_t one=gcry_mpi_set_ui(NULL,1); printf("session(y=1)=%08x\n", otrl_dh_session(&s,&a,one));
 return 0;}
